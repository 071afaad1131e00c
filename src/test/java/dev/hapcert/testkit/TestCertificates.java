package dev.hapcert.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Mints real X.509 certificates for tests: a CA, intermediates, and leaves of every key type hapcert supports.
 * Everything is generated in memory; nothing here is a fixture checked into the repository.
 */
public final class TestCertificates {
    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xFFFFFFFFFFFFL);
    private static final SecureRandom RANDOM = new SecureRandom();

    public enum KeyType {
        RSA_2048, RSA_4096, EC_P256, EC_P384, ED25519, DSA_2048;

        KeyPair generate() {
            try {
                KeyPairGenerator g;
                switch (this) {
                    case RSA_2048 -> { g = KeyPairGenerator.getInstance("RSA"); g.initialize(2048, RANDOM); }
                    case RSA_4096 -> { g = KeyPairGenerator.getInstance("RSA"); g.initialize(4096, RANDOM); }
                    case EC_P256 -> { g = KeyPairGenerator.getInstance("EC"); g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM); }
                    case EC_P384 -> { g = KeyPairGenerator.getInstance("EC"); g.initialize(new ECGenParameterSpec("secp384r1"), RANDOM); }
                    case ED25519 -> g = KeyPairGenerator.getInstance("Ed25519");
                    case DSA_2048 -> { g = KeyPairGenerator.getInstance("DSA"); g.initialize(2048, RANDOM); }
                    default -> throw new IllegalStateException(name());
                }
                return g.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        String signatureAlgorithm() {
            return switch (this) {
                case RSA_2048, RSA_4096 -> "SHA256withRSA";
                case EC_P256 -> "SHA256withECDSA";
                case EC_P384 -> "SHA384withECDSA";
                case ED25519 -> "Ed25519";
                case DSA_2048 -> "SHA256withDSA";
            };
        }
    }

    private TestCertificates() {
    }

    /** A self-signed root CA with a P-256 key. */
    public static Authority newRootCa(String commonName) {
        return newRootCa(commonName, KeyType.EC_P256);
    }

    public static Authority newRootCa(String commonName, KeyType type) {
        KeyPair keys = type.generate();
        Instant now = Instant.now();
        X509Certificate cert = sign(new X500Name("CN=" + commonName), keys, new X500Name("CN=" + commonName), keys.getPrivate(),
                type, null, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)), true, List.of(), newSerial());
        return new Authority(cert, keys, type, List.of());
    }

    /** A CA that can issue leaves and intermediates; {@code chainAbove} is its own chain up to (excluding) the root. */
    public record Authority(X509Certificate certificate, KeyPair keys, KeyType keyType, List<X509Certificate> chainAbove) {
        public Authority intermediate(String commonName) {
            return intermediate(commonName, KeyType.EC_P256);
        }

        public Authority intermediate(String commonName, KeyType type) {
            KeyPair k = type.generate();
            Instant now = Instant.now();
            X509Certificate c = sign(new X500Name("CN=" + commonName), k, X500Name.getInstance(
                    certificate.getSubjectX500Principal().getEncoded()), keys.getPrivate(), keyType, certificate,
                    now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3000)), true, List.of(), newSerial());
            // Everything above the new intermediate that a server sends: this authority (unless it is the root) and its own chain.
            List<X509Certificate> chain = servedChain();
            return new Authority(c, k, type, List.copyOf(chain));
        }

        public LeafSpec leaf(String... dnsNames) {
            return new LeafSpec(this, List.of(dnsNames), KeyType.EC_P256, Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofDays(90)), null);
        }

        /** The chain a leaf signed by this authority is served with: this CA (unless it is a root) and its parents. */
        List<X509Certificate> servedChain() {
            List<X509Certificate> chain = new ArrayList<>();
            boolean isRoot = certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
            if (!isRoot) {
                chain.add(certificate);
                chain.addAll(chainAbove);
            }
            return chain;
        }
    }

    /** What a leaf should look like; {@link #issue()} mints it. */
    public record LeafSpec(Authority issuer, List<String> dnsNames, KeyType keyType, Instant notBefore, Instant notAfter,
                           BigInteger serial) {
        public LeafSpec keyType(KeyType type) {
            return new LeafSpec(issuer, dnsNames, type, notBefore, notAfter, serial);
        }

        public LeafSpec validity(Instant from, Instant until) {
            return new LeafSpec(issuer, dnsNames, keyType, from, until, serial);
        }

        public LeafSpec serial(BigInteger value) {
            return new LeafSpec(issuer, dnsNames, keyType, notBefore, notAfter, value);
        }

        public Issued issue() {
            KeyPair k = keyType.generate();
            X509Certificate c = sign(new X500Name("CN=" + dnsNames.get(0)), k,
                    X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                    issuer.keys().getPrivate(), issuer.keyType(), issuer.certificate(), notBefore, notAfter, false, dnsNames,
                    serial == null ? newSerial() : serial);
            return new Issued(c, issuer.servedChain(), k);
        }
    }

    /** A minted leaf with its chain and key, able to render every PEM layout the ACME clients produce. */
    public record Issued(X509Certificate leaf, List<X509Certificate> chain, KeyPair keys) {
        public String certPem() {
            return pem(leaf);
        }

        public String chainPem() {
            StringBuilder b = new StringBuilder();
            chain.forEach(c -> b.append(pem(c)));
            return b.toString();
        }

        public String fullchainPem() {
            return certPem() + chainPem();
        }

        /** PKCS#8 ({@code BEGIN PRIVATE KEY}) as the JDK encodes it: for EC, without the public point OpenSSL adds. */
        public String keyPkcs8Pem() {
            return pemBlock("PRIVATE KEY", keys.getPrivate().getEncoded());
        }

        /**
         * PKCS#8 as OpenSSL, and so certbot, writes it: an EC key's SEC1 structure carries its public point (which
         * {@code openssl pkey} does not add to a key that lacks it); other keys as the JDK encodes them.
         */
        public String keyAsCertbotWritesIt() {
            if (!(keys.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec)) {
                return keyPkcs8Pem();
            }
            try {
                org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(ec.getEncoded());
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                        ec.getParams().getOrder().bitLength(), ec.getS(),
                        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                        null);
                return pemBlock("PRIVATE KEY", new org.bouncycastle.asn1.pkcs.PrivateKeyInfo(info.getPrivateKeyAlgorithm(), sec1).getEncoded());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** PKCS#1 for RSA, SEC1 for EC ({@code BEGIN RSA/EC PRIVATE KEY}), as older tools write it. */
        public String keyTraditionalPem() {
            if (keys.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec) {
                return sec1Pem(ec, keys.getPublic());
            }
            return writeWithBouncyCastle(keys.getPrivate());
        }

        /** Leaf, chain and PKCS#8 key in one file, as a shell hook concatenates them (hapcert renders its own form). */
        public String haproxyPem() {
            return fullchainPem() + keyPkcs8Pem();
        }

        /** The serial as HAProxy prints it in {@code show ssl cert}. */
        public String serialHex() {
            return dev.hapcert.cert.HaproxyCertFormat.serial(leaf);
        }
    }

    public static String pem(X509Certificate cert) {
        try {
            return pemBlock("CERTIFICATE", cert.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pemBlock(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** SEC1 with the named curve and the public key, as OpenSSL writes {@code EC PRIVATE KEY}. */
    private static String sec1Pem(java.security.interfaces.ECPrivateKey key, java.security.PublicKey publicKey) {
        try {
            org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded());
            org.bouncycastle.asn1.x509.SubjectPublicKeyInfo spki =
                    org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(publicKey.getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                    key.getParams().getOrder().bitLength(), key.getS(), spki.getPublicKeyData(),
                    info.getPrivateKeyAlgorithm().getParameters());
            return pemBlock("EC PRIVATE KEY", sec1.getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String writeWithBouncyCastle(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static BigInteger newSerial() {
        // Positive, unique within a run, and long enough to look like a real CA's serial.
        return BigInteger.valueOf(SERIALS.incrementAndGet()).shiftLeft(32).or(BigInteger.valueOf(RANDOM.nextInt() & 0x7FFFFFFF));
    }

    /** Key identifiers as public CAs write them: each certificate's own, and its issuer's unless self-signed. */
    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
                                        KeyType issuerType, X509Certificate issuerCert, Instant from, Instant until,
                                        boolean ca, List<String> dnsNames, BigInteger serial) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(from), Date.from(until),
                    subject, subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils ids = new org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(subjectKeys.getPublic()));
            if (issuerCert != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false, ids.createAuthorityKeyIdentifier(issuerCert));
            }
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            }
            if (!dnsNames.isEmpty()) {
                GeneralName[] names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            ContentSigner signer = new JcaContentSignerBuilder(issuerType.signatureAlgorithm()).build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
