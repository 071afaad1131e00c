package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BundleTest {
    private static final Issued ISSUED = Fixtures.leaf(KeyType.EC_P256);

    @ParameterizedTest
    @CsvSource({"RSA_2048, RSA2048", "RSA_4096, RSA4096", "EC_P256, EC256", "EC_P384, EC384", "ED25519, ED25519"})
    void keyDescriptionIsHaproxyStyle(KeyType type, String expected) throws Exception {
        Issued issued = Fixtures.leaf(type);
        Bundle bundle = BundleReader.fromPem(issued.haproxyPem(), "test");
        assertThat(bundle.keyDescription()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        // HAProxy prints the magnitude in whole bytes: no DER sign byte, but a leading zero nibble is kept.
        "8F1E2D3C4B5A69788796A5B4C3D2E1F0, 8F1E2D3C4B5A69788796A5B4C3D2E1F0",
        "A1B2C3D, 0A1B2C3D",
        "FF00, FF00",
        "100, 0100",
        "7F, 7F",
        "80, 80"})
    void serialIsTheUnsignedMagnitudeInWholeBytes(String serialHex, String expected) throws Exception {
        Issued issued = Fixtures.INTERMEDIATE.leaf("serial.example.test").serial(new BigInteger(serialHex, 16)).issue();
        assertThat(BundleReader.fromPem(issued.haproxyPem(), "test").serialHex()).isEqualTo(expected);
    }

    @Test
    void derivedValues() throws Exception {
        Bundle bundle = BundleReader.fromPem(ISSUED.haproxyPem(), "test");
        byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(ISSUED.leaf().getEncoded());
        assertThat(bundle.sha1Fingerprint()).isEqualTo(HexFormat.of().withUpperCase().formatHex(sha1)).hasSize(40);
        assertThat(bundle.notBefore()).isEqualTo(ISSUED.leaf().getNotBefore().toInstant());
        assertThat(bundle.notAfter()).isEqualTo(ISSUED.leaf().getNotAfter().toInstant());
        assertThat(bundle.certificatesPem()).isEqualTo(ISSUED.fullchainPem());
        KeyLeaks.assertSameSecret(bundle.key().toPem(), ISSUED.keyPkcs8Pem());
        assertThat(bundle.certificates()).containsExactly(ISSUED.leaf(), Fixtures.INTERMEDIATE.certificate());
    }

    @Test
    void dnsNamesAreLowerCaseInCertificateOrder() throws Exception {
        Issued issued = Fixtures.INTERMEDIATE.leaf("Zeta.Example.Test", "alpha.example.test", "*.Example.Test")
                .serial(Fixtures.nextSerial()).issue();
        assertThat(BundleReader.fromPem(issued.haproxyPem(), "test").dnsNames())
                .containsExactly("zeta.example.test", "alpha.example.test", "*.example.test");
    }

    @Test
    void commonNameOnlyWithoutSubjectAlternativeNames() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = g.generateKeyPair();
        Instant now = Instant.now();
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                new X500Name("CN=Legacy.Example.Test"), BigInteger.TEN, Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name("O=Example,CN=Legacy.Example.Test"), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        Bundle bundle = new Bundle(cert, List.of(), Fixtures.pkcs8(keys.getPrivate()));
        assertThat(bundle.dnsNames()).containsExactly("legacy.example.test");
        assertThat(bundle.serialHex()).isEqualTo("0A");
    }

    @Test
    void haproxyPemIsExactlyWhatHaproxyLoads() throws Exception {
        String crlf = ISSUED.haproxyPem().replace("\n", "\r\n\r\n");
        byte[] pem = BundleReader.fromPem(crlf, "test").haproxyPem();
        String text = new String(pem, StandardCharsets.US_ASCII);
        // Booleans only: the text holds a key and must not end up in a failure message.
        assertThat(text.contains("\r")).as("has CR").isFalse();
        assertThat(text.contains("\n\n")).as("has a blank line").isFalse();
        assertThat(text.startsWith("-----BEGIN EC PRIVATE KEY-----\n")).as("starts with the key").isTrue();
        assertThat(text.endsWith(ISSUED.fullchainPem())).as("ends with leaf and chain and a newline").isTrue();
        assertThat(text.lines().allMatch(l -> l.length() <= 64)).as("lines of at most 64 columns").isTrue();
        KeyLeaks.assertSameSecret(pem, (Pkcs8Header.traditionalForm(ISSUED.keys().getPrivate().getEncoded()).orElseThrow().toPem()
                + ISSUED.fullchainPem()).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void isImmutableAndRedacted() throws Exception {
        List<X509Certificate> chain = new ArrayList<>(ISSUED.chain());
        Bundle bundle = new Bundle(ISSUED.leaf(), chain, Fixtures.pkcs8(ISSUED.keys().getPrivate()));
        chain.clear();
        assertThat(bundle.chain()).hasSize(1);
        assertThatThrownBy(() -> bundle.chain().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(bundle.toString()).startsWith("Bundle[names=[shop.example.test, www.shop.example.test], serial="
                + bundle.serialHex() + ", notAfter=");
        KeyLeaks.assertNoKeyMaterial(bundle.toString(), ISSUED);
        assertThat(bundle.key().toString()).isEqualTo("PrivateKeyMaterial[EC, redacted]");
        assertThat(bundle).isEqualTo(BundleReader.fromPem(ISSUED.haproxyPem(), "again"));
    }
}
