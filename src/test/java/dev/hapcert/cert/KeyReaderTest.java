package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.InvalidInputException;
import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class KeyReaderTest {
    private static final String ORIGIN = "/etc/letsencrypt/live/shop/privkey.pem";

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"RSA_2048", "RSA_4096", "EC_P256", "EC_P384", "ED25519"})
    void readsPkcs8WithTheJdk(KeyType type) throws Exception {
        Issued issued = Fixtures.leaf(type);
        PemBlock block = PemReader.read(issued.keyPkcs8Pem(), ORIGIN).get(0);

        PrivateKeyMaterial key = KeyReader.read(block, ORIGIN);

        assertThat(key.algorithm()).isEqualTo(expectedAlgorithm(type));
        assertThat(key.label()).isEqualTo("PRIVATE KEY");
        KeyLeaks.assertSameSecret(key.der(), issued.keys().getPrivate().getEncoded());
        KeyLeaks.assertSameSecret(key.toPem(), issued.keyPkcs8Pem());
        assertThat(KeyPairCheck.matches(key.key(), issued.leaf().getPublicKey())).isTrue();
        assertThat(key.toString()).isEqualTo("PrivateKeyMaterial[" + expectedAlgorithm(type) + ", redacted]");
        KeyLeaks.assertNoKeyMaterial(key.toString(), issued);
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"RSA_2048", "RSA_4096", "EC_P256", "EC_P384"})
    void readsPkcs1AndSec1AsGiven(KeyType type) throws Exception {
        Issued issued = Fixtures.leaf(type);
        String pem = Fixtures.traditionalPem(issued);
        PemBlock block = PemReader.read(pem, ORIGIN).get(0);
        assertThat(block.label()).isEqualTo(type.name().startsWith("RSA") ? "RSA PRIVATE KEY" : "EC PRIVATE KEY");

        PrivateKeyMaterial key = KeyReader.read(block, ORIGIN);

        assertThat(key.algorithm()).isEqualTo(expectedAlgorithm(type));
        assertThat(key.label()).isEqualTo(block.label());
        KeyLeaks.assertSameSecret(key.toPem(), pem);
        assertThat(KeyPairCheck.matches(key.key(), issued.leaf().getPublicKey())).isTrue();
        assertThat(KeyPairCheck.matches(key.key(), Fixtures.INTERMEDIATE.certificate().getPublicKey())).isFalse();
    }

    @Test
    void anOpenSslStyleEcKeyIsDecodedByTheJdkOnlyWhenAsked() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P384);
        byte[] der = Fixtures.opensslStylePkcs8(issued.keys(), issued.keys().getPublic());
        assertThat(Pkcs8Header.ecKeyIsWellFormed(der)).isTrue();

        PrivateKeyMaterial key = KeyReader.read(new PemBlock("PRIVATE KEY", der), ORIGIN);

        assertThat(key.algorithm()).isEqualTo("EC");
        KeyLeaks.assertSameSecret(key.der(), der);
        assertThat(((java.security.interfaces.ECPrivateKey) key.key()).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) issued.keys().getPrivate()).getS());
        assertThat(key.key()).isSameAs(key.key());
        assertThat(KeyPairCheck.matches(key.key(), issued.leaf().getPublicKey())).isTrue();
    }

    @Test
    void anEcKeyTheJdkWouldRefuseIsRefusedWhenRead() throws Exception {
        // SEC1 requires version 1; with its public point still inside, only the JDK's decoding can tell.
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        byte[] der = Fixtures.opensslStylePkcs8(issued.keys(), issued.keys().getPublic());
        int version = indexOf(der, new byte[] {0x02, 0x01, 0x01, 0x04, 0x20});
        assertThat(version).isPositive();
        der[version + 2] = 2;
        assertThat(Pkcs8Header.ecKeyIsWellFormed(der)).isFalse();
        assertThat(Pkcs8Header.embeddedEcPublicKey(der)).isPresent();

        assertThatThrownBy(() -> KeyReader.read(new PemBlock("PRIVATE KEY", der), ORIGIN))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("the private key is damaged");
    }

    @Test
    void anEcKeyIsWellFormedOnlyWithNothingAfterItsParts() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        assertThat(Pkcs8Header.ecKeyIsWellFormed(issued.keys().getPrivate().getEncoded())).as("the JDK's own form").isTrue();
        byte[] der = Fixtures.opensslStylePkcs8(issued.keys(), issued.keys().getPublic());
        byte[] trailing = Arrays.copyOf(der, der.length + 2);
        trailing[der.length] = 0x05;
        assertThat(Pkcs8Header.ecKeyIsWellFormed(trailing)).isFalse();
        assertThat(Pkcs8Header.ecKeyIsWellFormed(Arrays.copyOf(der, der.length - 1))).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384"})
    void aSec1KeyAsAcmeShLegoAndDehydratedWriteItIsDecodedOnlyWhenAsked(KeyType type) throws Exception {
        Issued issued = Fixtures.leaf(type);
        String pem = Fixtures.traditionalPem(issued);
        PemBlock block = PemReader.read(pem, ORIGIN).get(0);
        assertThat(Pkcs8Header.sec1(block.der())).isPresent();

        PrivateKeyMaterial key = KeyReader.read(block, ORIGIN);

        assertThat(key.label()).isEqualTo("EC PRIVATE KEY");
        KeyLeaks.assertSameSecret(key.toPem(), pem);
        assertThat(key.haproxyPem()).isEqualTo(key.toPem());
        assertThat(key.publicPoint()).get().satisfies(p -> {
            assertThat(p.curveOid()).isEqualTo(type == KeyType.EC_P256 ? "1.2.840.10045.3.1.7" : "1.3.132.0.34");
            assertThat(p.encoded()).isEqualTo(org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                    issued.keys().getPublic().getEncoded()).getPublicKeyData().getBytes());
        });
        assertThat(((java.security.interfaces.ECPrivateKey) key.key()).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) issued.keys().getPrivate()).getS());
        X509Certificate leaf = LazyX509Certificate.decode(issued.leaf().getEncoded());
        assertThat(KeyPairCheck.matches(key, leaf)).isTrue();
        assertThat(KeyPairCheck.matches(key, LazyX509Certificate.decode(Fixtures.INTERMEDIATE.certificate().getEncoded()))).isFalse();
        assertThat(KeyPairCheck.matches(key, issued.leaf().getPublicKey())).isTrue();
    }

    @Test
    void onlyASec1KeyOfOpenSslsShapeIsReadWithoutBouncyCastle() throws Exception {
        byte[] der = PemReader.read(Fixtures.traditionalPem(Fixtures.leaf(KeyType.EC_P256)), ORIGIN).get(0).der();
        byte[] trailing = Arrays.copyOf(der, der.length + 2);
        trailing[der.length] = 0x05;
        byte[] version2 = der.clone();
        int version = indexOf(version2, new byte[] {0x02, 0x01, 0x01, 0x04});
        version2[version + 2] = 2;
        // Without its curve (OpenSSL cannot read that either): left to BouncyCastle's reader and its message.
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        java.security.interfaces.ECPrivateKey ec = (java.security.interfaces.ECPrivateKey) issued.keys().getPrivate();
        byte[] noCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(), org.bouncycastle.asn1.x509.SubjectPublicKeyInfo
                .getInstance(issued.keys().getPublic().getEncoded()).getPublicKeyData(), null).getEncoded();
        assertThat(Pkcs8Header.sec1(trailing)).as("trailing bytes").isEmpty();
        assertThat(Pkcs8Header.sec1(version2)).as("version 2").isEmpty();
        assertThat(Pkcs8Header.sec1(noCurve)).as("no curve").isEmpty();
        assertThat(Pkcs8Header.sec1(Arrays.copyOf(der, der.length - 3))).as("truncated").isEmpty();
        assertThat(Pkcs8Header.sec1(der)).isPresent();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    static Stream<Arguments> rejected() throws Exception {
        Issued dsa = Fixtures.INTERMEDIATE.leaf("dsa.example.test").keyType(KeyType.DSA_2048).serial(Fixtures.nextSerial()).issue();
        byte[] x25519 = KeyPairGenerator.getInstance("X25519").generateKeyPair().getPrivate().getEncoded();
        KeyPairGenerator k1 = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        k1.initialize(new ECGenParameterSpec("secp256k1"));
        byte[] secp256k1 = k1.generateKeyPair().getPrivate().getEncoded();
        byte[] ec = Fixtures.leaf(KeyType.EC_P256).keys().getPrivate().getEncoded();
        // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.2.3.4 }, OCTET STRING { 00 } }
        byte[] unknownOid = HexFormat.of().parseHex("300d020100300506032a0304040100");
        return Stream.of(
                Arguments.of("PKCS#8 encrypted", new PemBlock("ENCRYPTED PRIVATE KEY", ec),
                        "encrypted keys are not supported: decrypt it first with `openssl pkey -in KEY -out KEY.plain`"),
                Arguments.of("DSA PKCS#8", new PemBlock("PRIVATE KEY", dsa.keys().getPrivate().getEncoded()),
                        "holds a DSA key, which is not supported"),
                Arguments.of("DSA traditional", PemReader.read(dsa.keyTraditionalPem(), ORIGIN).get(0),
                        "holds a DSA key, which is not supported"),
                Arguments.of("X25519", new PemBlock("PRIVATE KEY", x25519), "key-agreement key (X25519/X448), which cannot sign"),
                Arguments.of("unknown algorithm", new PemBlock("PRIVATE KEY", unknownOid), "unknown algorithm (OID 1.2.3.4)"),
                Arguments.of("unsupported curve", new PemBlock("PRIVATE KEY", secp256k1),
                        "EC key on an unsupported curve (OID 1.3.132.0.10)"),
                Arguments.of("truncated PKCS#8", new PemBlock("PRIVATE KEY", Arrays.copyOf(ec, ec.length - 8)),
                        "the private key is damaged"),
                Arguments.of("garbage PKCS#8", new PemBlock("PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}),
                        "the private key is damaged"),
                Arguments.of("garbage PKCS#1", new PemBlock("RSA PRIVATE KEY", Arrays.copyOf(ec, 40)), "the private key is damaged"),
                Arguments.of("garbage SEC1", new PemBlock("EC PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}),
                        "the private key is damaged"),
                Arguments.of("SEC1 without curve", sec1WithoutCurve(), "EC key that does not name its curve"),
                Arguments.of("OpenSSH key", new PemBlock("OPENSSH PRIVATE KEY", ec), "an OpenSSH key, which is not a TLS key"),
                Arguments.of("not a key", new PemBlock("CERTIFICATE", ec), "a CERTIFICATE block is not a private key"));
    }

    /** What some tools write: SEC1 with neither the curve nor the public key, which OpenSSL itself cannot read. */
    private static PemBlock sec1WithoutCurve() {
        try {
            java.security.interfaces.ECPrivateKey key =
                    (java.security.interfaces.ECPrivateKey) Fixtures.leaf(KeyType.EC_P256).keys().getPrivate();
            return new PemBlock("EC PRIVATE KEY", new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS()).getEncoded());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithASpecificMessage(String name, PemBlock block, String expected) {
        assertThatThrownBy(() -> KeyReader.read(block, ORIGIN))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(ORIGIN)
                .hasMessageContaining(expected)
                .hasNoCause()
                .satisfies(e -> KeyLeaks.assertNoKeyMaterial(e.getMessage(), Fixtures.leaf(KeyType.EC_P256)));
    }

    @Test
    void equalityIsByContentAndHidesIt() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        PrivateKeyMaterial a = Fixtures.pkcs8(issued.keys().getPrivate());
        PrivateKeyMaterial b = Fixtures.pkcs8(issued.keys().getPrivate());
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(Fixtures.pkcs8(Fixtures.leaf(KeyType.EC_P384).keys().getPrivate()));
        byte[] der = a.der();
        der[0] ^= 1;
        assertThat(a).isEqualTo(b);
    }

    private static String expectedAlgorithm(KeyType type) {
        return switch (type) {
            case RSA_2048, RSA_4096 -> "RSA";
            case EC_P256, EC_P384 -> "EC";
            case ED25519 -> "Ed25519";
            default -> throw new IllegalArgumentException(type.name());
        };
    }
}
