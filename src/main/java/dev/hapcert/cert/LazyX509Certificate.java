package dev.hapcert.cert;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Principal;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;

/**
 * An X.509 certificate read with BouncyCastle's ASN.1 structures, whose JDK form is built only when a method needs
 * what those structures do not answer plainly.
 *
 * <p>Why: the JDK's {@code CertificateFactory} decodes the public key of every certificate it parses. On JDK 17 the
 * first EC key looks up the provider that holds EC (a service walk that instantiates every security provider module
 * on the way) and builds its table of named curves; the parse then records a security event, whose logger looks
 * for a logging backend on the class path, which opens the 16,000-entry jar. A deploy of a renewed certificate reads
 * one bundle, so that is paid on every hook run: measured by a scratch program with the launcher's flags and a
 * class-data archive, reading an EC bundle this way instead took 10 ms off the process, and 17 ms together with the
 * launcher's fixed selector provider ({@code Main}), which leaves the jar unopened (bench/README.md).
 *
 * <p>What the deploy path asks of a certificate (encoding, serial, validity, names, key identifiers, basic
 * constraints, the public key's encoding) is answered from the ASN.1 structures, in the JDK's own terms. Whatever
 * those answers would have to guess at (a SAN of another kind than a plain DNS name, a time not in RFC 5280's form,
 * a name the JDK cannot read) goes to the JDK's parse of the same bytes, as does every other method. The public key
 * is decoded by the JDK's {@code KeyFactory} from the certificate's SubjectPublicKeyInfo, as the JDK's certificate
 * does, when it is first asked for; {@link KeyPairCheck} compares an EC key with the certificate's encoded point
 * without it.
 */
final class LazyX509Certificate extends X509Certificate {
    private static final int SAN_DNS = 2;

    private final byte[] der;
    private final Certificate asn1;
    private volatile X509Certificate jdk;
    private volatile PublicKey publicKey;
    /** Subject, issuer. */
    private volatile X500Principal[] names;
    /** notBefore, notAfter. */
    private volatile Date[] validity;
    private volatile BigInteger serial;
    private volatile Collection<List<?>> subjectAlternativeNames;

    private LazyX509Certificate(byte[] der, Certificate asn1) {
        this.der = der;
        this.asn1 = asn1;
    }

    /** Decodes one DER certificate; an IOException says it is not one (trailing bytes included). */
    static LazyX509Certificate decode(byte[] der) throws IOException {
        try {
            Certificate asn1 = Certificate.getInstance(ASN1Primitive.fromByteArray(der));
            if (asn1 == null || asn1.getTBSCertificate() == null) {
                throw new IOException("not a certificate");
            }
            return new LazyX509Certificate(der.clone(), asn1);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException e) {
            throw new IOException("not a certificate", e);
        }
    }

    // ---- answered from the ASN.1 structures

    @Override
    public byte[] getEncoded() {
        return der.clone();
    }

    @Override
    public BigInteger getSerialNumber() {
        BigInteger value = serial;
        if (value == null) {
            value = asn1.getSerialNumber().getValue();
            serial = value;
        }
        return value;
    }

    @Override
    public Date getNotBefore() {
        return (Date) validity()[0].clone();
    }

    @Override
    public Date getNotAfter() {
        return (Date) validity()[1].clone();
    }

    /** notBefore and notAfter, read once. */
    private Date[] validity() {
        Date[] dates = validity;
        if (dates == null) {
            Date from = utc(asn1.getStartDate());
            Date until = utc(asn1.getEndDate());
            dates = new Date[] {from != null ? from : jdk().getNotBefore(), until != null ? until : jdk().getNotAfter()};
            validity = dates;
        }
        return dates;
    }

    @Override
    public X500Principal getSubjectX500Principal() {
        return names()[0];
    }

    @Override
    public X500Principal getIssuerX500Principal() {
        return names()[1];
    }

    /** Subject and issuer, read once. */
    private X500Principal[] names() {
        X500Principal[] both = names;
        if (both == null) {
            X500Principal subject = principal(asn1.getTBSCertificate().getSubject().toASN1Primitive());
            X500Principal issuer = principal(asn1.getTBSCertificate().getIssuer().toASN1Primitive());
            both = new X500Principal[] {subject != null ? subject : jdk().getSubjectX500Principal(),
                issuer != null ? issuer : jdk().getIssuerX500Principal()};
            names = both;
        }
        return both;
    }

    @Override
    public byte[] getExtensionValue(String oid) {
        Extensions extensions = asn1.getTBSCertificate().getExtensions();
        if (extensions == null) {
            return null;
        }
        try {
            Extension extension = extensions.getExtension(new ASN1ObjectIdentifier(oid));
            return extension == null ? null : extension.getExtnValue().getEncoded();
        } catch (IllegalArgumentException | IOException e) {
            return jdk().getExtensionValue(oid);
        }
    }

    /**
     * The JDK's answer, read here when every name is a DNS name of plain host-name characters (what public CAs
     * issue); any other name, which the JDK checks and renders by its own rules, is left to the JDK.
     */
    @Override
    public Collection<List<?>> getSubjectAlternativeNames() throws CertificateParsingException {
        Collection<List<?>> names = subjectAlternativeNames;
        if (names == null) {
            names = readSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            subjectAlternativeNames = names;
        }
        return names;
    }

    private Collection<List<?>> readSubjectAlternativeNames() throws CertificateParsingException {
        Extensions extensions = asn1.getTBSCertificate().getExtensions();
        Extension extension = extensions == null ? null : extensions.getExtension(Extension.subjectAlternativeName);
        if (extension == null) {
            return null;
        }
        try {
            List<List<?>> names = new ArrayList<>();
            for (GeneralName name : GeneralNames.getInstance(extension.getParsedValue()).getNames()) {
                if (name.getTagNo() != SAN_DNS || !(name.getName() instanceof ASN1String text) || !plainHostName(text.getString())) {
                    return jdk().getSubjectAlternativeNames();
                }
                names.add(List.of(SAN_DNS, text.getString()));
            }
            return List.copyOf(names);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return jdk().getSubjectAlternativeNames();
        }
    }

    @Override
    public int getBasicConstraints() {
        try {
            BasicConstraints constraints = BasicConstraints.fromExtensions(asn1.getTBSCertificate().getExtensions());
            if (constraints == null || !constraints.isCA()) {
                return -1;
            }
            BigInteger length = constraints.getPathLenConstraint();
            return length == null || length.bitLength() > 31 ? Integer.MAX_VALUE : length.intValue();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return jdk().getBasicConstraints();
        }
    }

    /** The JDK's key, from the SubjectPublicKeyInfo as the JDK's certificate builds it, decoded on first use. */
    @Override
    public PublicKey getPublicKey() {
        PublicKey key = publicKey;
        if (key == null) {
            String algorithm = switch (publicKeyAlgorithmOid()) {
                case KeyReader.OID_RSA -> "RSA";
                case KeyReader.OID_EC -> "EC";
                case KeyReader.OID_ED25519 -> "Ed25519";
                default -> null;
            };
            try {
                key = algorithm == null ? jdk().getPublicKey()
                        : KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(subjectPublicKeyInfo().getEncoded()));
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                key = jdk().getPublicKey();
            }
            publicKey = key;
        }
        return key;
    }

    /** The OID of the public key's algorithm (SubjectPublicKeyInfo), dotted. */
    String publicKeyAlgorithmOid() {
        return subjectPublicKeyInfo().getAlgorithm().getAlgorithm().getId();
    }

    /** The OID that the public key's algorithm parameters are, when they are one (an EC key's named curve), or null. */
    String publicKeyParameterOid() {
        ASN1Encodable parameters = subjectPublicKeyInfo().getAlgorithm().getParameters();
        return parameters != null && parameters.toASN1Primitive() instanceof ASN1ObjectIdentifier oid ? oid.getId() : null;
    }

    /** The subjectPublicKey BIT STRING's bytes (an EC key's encoded point), or null when it does not use whole bytes. */
    byte[] publicKeyBits() {
        var bits = subjectPublicKeyInfo().getPublicKeyData();
        return bits.getPadBits() == 0 ? bits.getBytes() : null;
    }

    private SubjectPublicKeyInfo subjectPublicKeyInfo() {
        return asn1.getSubjectPublicKeyInfo();
    }

    // ---- left to the JDK's parse of the same bytes

    @Override
    public void checkValidity() throws CertificateExpiredException, CertificateNotYetValidException {
        jdk().checkValidity();
    }

    @Override
    public void checkValidity(Date date) throws CertificateExpiredException, CertificateNotYetValidException {
        jdk().checkValidity(date);
    }

    @Override
    public int getVersion() {
        return jdk().getVersion();
    }

    @Override
    @SuppressWarnings("deprecation")
    public Principal getIssuerDN() {
        return jdk().getIssuerDN();
    }

    @Override
    @SuppressWarnings("deprecation")
    public Principal getSubjectDN() {
        return jdk().getSubjectDN();
    }

    @Override
    public byte[] getTBSCertificate() throws CertificateEncodingException {
        return jdk().getTBSCertificate();
    }

    @Override
    public byte[] getSignature() {
        return jdk().getSignature();
    }

    @Override
    public String getSigAlgName() {
        return jdk().getSigAlgName();
    }

    @Override
    public String getSigAlgOID() {
        return jdk().getSigAlgOID();
    }

    @Override
    public byte[] getSigAlgParams() {
        return jdk().getSigAlgParams();
    }

    @Override
    public boolean[] getIssuerUniqueID() {
        return jdk().getIssuerUniqueID();
    }

    @Override
    public boolean[] getSubjectUniqueID() {
        return jdk().getSubjectUniqueID();
    }

    @Override
    public boolean[] getKeyUsage() {
        return jdk().getKeyUsage();
    }

    @Override
    public List<String> getExtendedKeyUsage() throws CertificateParsingException {
        return jdk().getExtendedKeyUsage();
    }

    @Override
    public Collection<List<?>> getIssuerAlternativeNames() throws CertificateParsingException {
        return jdk().getIssuerAlternativeNames();
    }

    @Override
    public boolean hasUnsupportedCriticalExtension() {
        return jdk().hasUnsupportedCriticalExtension();
    }

    @Override
    public Set<String> getCriticalExtensionOIDs() {
        return jdk().getCriticalExtensionOIDs();
    }

    @Override
    public Set<String> getNonCriticalExtensionOIDs() {
        return jdk().getNonCriticalExtensionOIDs();
    }

    @Override
    public void verify(PublicKey key) throws CertificateException, NoSuchAlgorithmException, InvalidKeyException,
            NoSuchProviderException, SignatureException {
        jdk().verify(key);
    }

    @Override
    public void verify(PublicKey key, String sigProvider) throws CertificateException, NoSuchAlgorithmException,
            InvalidKeyException, NoSuchProviderException, SignatureException {
        jdk().verify(key, sigProvider);
    }

    @Override
    public void verify(PublicKey key, Provider sigProvider) throws CertificateException, NoSuchAlgorithmException,
            InvalidKeyException, SignatureException {
        jdk().verify(key, sigProvider);
    }

    @Override
    public String toString() {
        return jdk().toString();
    }

    private X509Certificate jdk() {
        X509Certificate c = jdk;
        if (c == null) {
            try {
                c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            } catch (CertificateException e) {
                throw new IllegalStateException("the JDK cannot decode this certificate: " + e.getMessage(), e);
            }
            jdk = c;
        }
        return c;
    }

    /**
     * An X500Principal of an encoded name, or null when the JDK's reading of it should decide. A DER certificate's
     * name (what a CA signs) encodes back to its own bytes; a name that did not would still compare equal by
     * X500Principal's canonical form.
     */
    private static X500Principal principal(ASN1Primitive name) {
        try {
            return new X500Principal(name.getEncoded());
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * RFC 5280's forms only, which every CA writes: UTCTime {@code YYMMDDHHMMSSZ} (years 1950-2049) and
     * GeneralizedTime {@code YYYYMMDDHHMMSSZ}; null for anything else, which the JDK then reads by its rules.
     * (BouncyCastle's own date conversion goes through {@code SimpleDateFormat} and its locale data.)
     */
    private static Date utc(Time time) {
        try {
            byte[] encoded = time.toASN1Primitive().getEncoded();
            int tag = encoded[0];
            int length = encoded[1];
            boolean utcTime = tag == 0x17 && length == 13;
            if (!(utcTime || tag == 0x18 && length == 15) || encoded.length != 2 + length || encoded[encoded.length - 1] != 'Z') {
                return null;
            }
            int at = 2;
            int year;
            if (utcTime) {
                year = digits(encoded, at, 2);
                year += year >= 50 ? 1900 : 2000;
                at += 2;
            } else {
                year = digits(encoded, at, 4);
                at += 4;
            }
            LocalDateTime t = LocalDateTime.of(year, digits(encoded, at, 2), digits(encoded, at + 2, 2),
                    digits(encoded, at + 4, 2), digits(encoded, at + 6, 2), digits(encoded, at + 8, 2));
            return new Date(t.toInstant(ZoneOffset.UTC).toEpochMilli());
        } catch (IOException | DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    private static int digits(byte[] b, int at, int count) {
        int value = 0;
        for (int i = at; i < at + count; i++) {
            if (b[i] < '0' || b[i] > '9') {
                throw new NumberFormatException();
            }
            value = value * 10 + (b[i] - '0');
        }
        return value;
    }

    /** Letters, digits, hyphens and dots, with an optional leading {@code *.}: names the JDK accepts as they are. */
    private static boolean plainHostName(String name) {
        String host = name.startsWith("*.") ? name.substring(2) : name;
        if (host.isEmpty() || host.startsWith(".") || host.endsWith(".") || host.contains("..")) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
                    // The JDK wants each label to start with a letter or digit.
                    || c == '-' && i > 0 && host.charAt(i - 1) != '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
