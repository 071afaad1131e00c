package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates.KeyType;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * {@link LazyX509Certificate} must answer every question exactly as the JDK's certificate of the same bytes does,
 * whether it answers from its ASN.1 structures or hands the question to the JDK.
 */
class LazyX509CertificateTest {
    private static final String[] EXTENSIONS = {"2.5.29.14", "2.5.29.35", "2.5.29.17", "2.5.29.19", "2.5.29.15",
        "1.2.3.4", "not an oid"};

    @Test
    void answersAsTheJdkDoesForTheCertificatesCasServe() throws Exception {
        List<X509Certificate> certificates = new ArrayList<>(List.of(Fixtures.ROOT.certificate(),
                Fixtures.INTERMEDIATE.certificate()));
        for (KeyType type : List.of(KeyType.RSA_2048, KeyType.EC_P256, KeyType.EC_P384, KeyType.ED25519)) {
            certificates.add(Fixtures.leaf(type).leaf());
        }
        for (X509Certificate jdk : certificates) {
            assertSameAnswers(jdk);
        }
    }

    @Test
    void answersAsTheJdkDoesForNamesItLeavesToTheJdk() throws Exception {
        // An IP address and a name with an underscore (which the JDK refuses to read as a DNS name): both go to the JDK.
        assertSameAnswers(custom(new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "a.example.test"),
            new GeneralName(GeneralName.iPAddress, "192.0.2.7")}), null, Instant.now().plus(Duration.ofDays(90))));
        assertSameAnswers(custom(new GeneralNames(new GeneralName(GeneralName.dNSName, "under_score.example.test")),
                null, Instant.now().plus(Duration.ofDays(90))));
        assertSameAnswers(custom(new GeneralNames(new GeneralName(GeneralName.dNSName, "-dash.example.test")),
                null, Instant.now().plus(Duration.ofDays(90))));
        assertSameAnswers(custom(new GeneralNames(new GeneralName(GeneralName.rfc822Name, "ops@example.test")),
                null, Instant.now().plus(Duration.ofDays(90))));
    }

    @Test
    void answersAsTheJdkDoesForBothTimeFormsAndEveryBasicConstraint() throws Exception {
        GeneralNames names = new GeneralNames(new GeneralName(GeneralName.dNSName, "*.Example.TEST"));
        // From 2050 on, RFC 5280 writes GeneralizedTime instead of UTCTime.
        assertSameAnswers(custom(names, null, Instant.parse("2061-03-04T05:06:07Z")));
        assertSameAnswers(custom(names, new BasicConstraints(true), Instant.parse("2049-12-31T23:59:59Z")));
        assertSameAnswers(custom(names, new BasicConstraints(0), Instant.now().plus(Duration.ofDays(1))));
        assertSameAnswers(custom(names, new BasicConstraints(false), Instant.now().plus(Duration.ofDays(1))));
        assertSameAnswers(custom(null, null, Instant.now().plus(Duration.ofDays(1))));
    }

    @Test
    void aCertificateBouncyCastleRefusesIsReadByTheJdk() throws Exception {
        // A serial with a superfluous leading zero byte: DER forbids it, BouncyCastle refuses it, the JDK reads it.
        byte[] der = withPaddedSerial(Fixtures.leaf(KeyType.EC_P256).leaf().getEncoded());
        X509Certificate jdk = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        X509Certificate read = BundleReader.parseCertificate(new PemBlock("CERTIFICATE", der), "test", 1);
        assertThat(read).isNotInstanceOf(LazyX509Certificate.class);
        assertThat(read.getEncoded()).isEqualTo(der);
        assertThat(read.getSerialNumber()).isEqualTo(jdk.getSerialNumber());
    }

    @Test
    void somethingThatIsNoCertificateIsRefused() throws Exception {
        byte[] der = Fixtures.leaf(KeyType.EC_P256).leaf().getEncoded().clone();
        byte[] truncated = Arrays.copyOf(der, der.length - 10);
        byte[] trailing = Arrays.copyOf(der, der.length + 2);
        for (byte[] bad : List.of(truncated, trailing, new byte[] {0x30, 0x00})) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LazyX509Certificate.decode(bad))
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    private static void assertSameAnswers(X509Certificate jdk) throws Exception {
        LazyX509Certificate lazy = LazyX509Certificate.decode(jdk.getEncoded());
        String what = jdk.getSubjectX500Principal().getName();
        assertThat(lazy.getEncoded()).as(what).isEqualTo(jdk.getEncoded());
        assertThat(lazy.getSerialNumber()).as(what).isEqualTo(jdk.getSerialNumber());
        assertThat(lazy.getNotBefore()).as(what).isEqualTo(jdk.getNotBefore());
        assertThat(lazy.getNotAfter()).as(what).isEqualTo(jdk.getNotAfter());
        assertThat(lazy.getSubjectX500Principal()).as(what).isEqualTo(jdk.getSubjectX500Principal());
        assertThat(lazy.getSubjectX500Principal().getEncoded()).as(what).isEqualTo(jdk.getSubjectX500Principal().getEncoded());
        assertThat(lazy.getIssuerX500Principal()).as(what).isEqualTo(jdk.getIssuerX500Principal());
        for (String oid : EXTENSIONS) {
            assertThat(lazy.getExtensionValue(oid)).as(what + " " + oid).isEqualTo(jdk.getExtensionValue(oid));
        }
        assertThat(listOrNull(lazy.getSubjectAlternativeNames())).as(what).isEqualTo(listOrNull(jdk.getSubjectAlternativeNames()));
        assertThat(lazy.getBasicConstraints()).as(what).isEqualTo(jdk.getBasicConstraints());
        assertThat(lazy.getPublicKey()).as(what).isEqualTo(jdk.getPublicKey());
        assertThat(lazy.getKeyUsage()).as(what).isEqualTo(jdk.getKeyUsage());
        assertThat(lazy.getSigAlgName()).as(what).isEqualTo(jdk.getSigAlgName());
        assertThat(lazy.toString()).as(what).isEqualTo(jdk.toString());
        assertThat(lazy).as(what).isEqualTo(jdk).hasSameHashCodeAs(jdk);
        assertThat(jdk).as(what).isEqualTo(lazy);
        assertThat(HaproxyCertFormat.serial(lazy)).isEqualTo(HaproxyCertFormat.serial(jdk));
        assertThat(HaproxyCertFormat.sha1Fingerprint(lazy)).isEqualTo(HaproxyCertFormat.sha1Fingerprint(jdk));
        assertThat(CertificateNames.dnsNames(lazy)).isEqualTo(CertificateNames.dnsNames(jdk));
    }

    private static List<List<?>> listOrNull(java.util.Collection<List<?>> names) {
        return names == null ? null : new ArrayList<>(names);
    }

    private static X509Certificate custom(GeneralNames names, BasicConstraints constraints, Instant notAfter) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = g.generateKeyPair();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=Custom CA, O=hapcert tests"),
                BigInteger.valueOf(Instant.now().toEpochMilli()), Date.from(Instant.now().minus(Duration.ofHours(1))),
                Date.from(notAfter), new X500Name("CN=custom.example.test"), keys.getPublic());
        if (names != null) {
            b.addExtension(Extension.subjectAlternativeName, false, names);
        }
        if (constraints != null) {
            b.addExtension(Extension.basicConstraints, true, constraints);
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    /** The certificate with a zero byte put in front of its (positive) serial, and every enclosing length fixed. */
    private static byte[] withPaddedSerial(byte[] der) {
        // SEQUENCE (2-byte length) { SEQUENCE (2-byte length) { [0] version (5 bytes), INTEGER serial, ...
        assertThat(der[0]).isEqualTo((byte) 0x30);
        assertThat(der[1]).isEqualTo((byte) 0x82);
        assertThat(der[5]).isEqualTo((byte) 0x82);
        int serialAt = 4 + 4 + 5;
        assertThat(der[serialAt]).isEqualTo((byte) 0x02);
        assertThat(der[serialAt + 2] & 0x80).isZero();
        byte[] out = new byte[der.length + 1];
        System.arraycopy(der, 0, out, 0, serialAt + 2);
        out[serialAt + 2] = 0;
        System.arraycopy(der, serialAt + 2, out, serialAt + 3, der.length - serialAt - 2);
        out[serialAt + 1]++;
        bump(out, 2);
        bump(out, 6);
        return out;
    }

    private static void bump(byte[] b, int at) {
        int length = ((b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF)) + 1;
        b[at] = (byte) (length >> 8);
        b[at + 1] = (byte) length;
    }
}
