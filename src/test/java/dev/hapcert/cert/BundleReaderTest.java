package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.InvalidInputException;
import dev.hapcert.testkit.TestCertificates;
import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Combined-PEM reading: every tolerated layout renders canonical bytes; every defect gets its own message. */
class BundleReaderTest {
    private static final String ORIGIN = "/etc/haproxy/certs/shop.pem";
    /** DER of the P-256 curve OID, what {@code openssl ecparam} puts in an EC PARAMETERS block. */
    private static final String EC_PARAMETERS = TestCertificates.pemBlock("EC PARAMETERS",
            HexFormat.of().parseHex("06082a8648ce3d030107"));

    private static final List<KeyType> TYPES = List.of(KeyType.RSA_2048, KeyType.RSA_4096, KeyType.EC_P256,
            KeyType.EC_P384, KeyType.ED25519);

    private static final List<Arguments> LAYOUTS = List.of(
            Arguments.of("canonical", UnaryOperator.<String>identity()),
            Arguments.of("CRLF", (UnaryOperator<String>) s -> s.replace("\n", "\r\n")),
            Arguments.of("blank lines between and inside blocks", (UnaryOperator<String>) s -> s.replace("\n", "\n\n")),
            Arguments.of("glued blocks", (UnaryOperator<String>) s -> s.replace("-----\n-----BEGIN", "----------BEGIN")),
            Arguments.of("no final newline", (UnaryOperator<String>) String::strip),
            Arguments.of("explanatory text", (UnaryOperator<String>) s -> "# shop.example.test, renewed today\n" + s + "# end\n"),
            Arguments.of("EC PARAMETERS before the key", (UnaryOperator<String>) s -> {
                int key = s.indexOf("-----BEGIN ", s.lastIndexOf("-----END CERTIFICATE-----"));
                return s.substring(0, key) + EC_PARAMETERS + s.substring(key);
            }),
            Arguments.of("everything at once", (UnaryOperator<String>) s -> s.replace("-----\n-----BEGIN", "----------BEGIN")
                    .replace("\n", "\r\n\r\n").strip()));

    static Stream<Arguments> variants() {
        List<Arguments> all = new ArrayList<>();
        for (KeyType type : TYPES) {
            for (String form : type == KeyType.ED25519 ? List.of("PKCS#8") : List.of("PKCS#8", "traditional")) {
                for (Arguments layout : LAYOUTS) {
                    all.add(Arguments.of(type, form, layout.get()[0], layout.get()[1]));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("variants")
    void everyToleratedVariantRendersTheCanonicalBytes(KeyType type, String form, String layout,
                                                       UnaryOperator<String> mutation) throws Exception {
        Issued issued = Fixtures.leaf(type);
        String keyPem = form.equals("PKCS#8") ? issued.keyPkcs8Pem() : Fixtures.traditionalPem(issued);
        String canonical = issued.fullchainPem() + keyPem;

        Bundle bundle = BundleReader.fromPem(mutation.apply(canonical), ORIGIN);

        KeyLeaks.assertSameSecret(new String(bundle.haproxyPem(), StandardCharsets.US_ASCII),
                Fixtures.rendered(issued, keyPem));
        assertThat(bundle.leaf()).isEqualTo(issued.leaf());
        assertThat(bundle.chain()).isEqualTo(issued.chain());
        BundleValidator.validate(bundle, List.of("shop.example.test"), java.time.Instant.now());
        KeyLeaks.assertNoKeyMaterial(bundle.toString(), issued);
        KeyLeaks.assertNoKeyMaterial(bundle.key().toString(), issued);
    }

    static Stream<Arguments> rejected() throws Exception {
        Issued ec = Fixtures.leaf(KeyType.EC_P256);
        Issued rsa = Fixtures.leaf(KeyType.RSA_2048);
        String intermediate = TestCertificates.pem(Fixtures.INTERMEDIATE.certificate());
        Issued dsa = Fixtures.INTERMEDIATE.leaf("dsa.example.test").keyType(KeyType.DSA_2048).serial(Fixtures.nextSerial()).issue();
        return Stream.of(
                Arguments.of("two private keys", ec.fullchainPem() + ec.keyPkcs8Pem() + rsa.keyPkcs8Pem(),
                        "found two different private keys in " + ORIGIN),
                Arguments.of("certificates but no key", ec.fullchainPem(), "contains certificates but no private key"),
                Arguments.of("key but no certificate", ec.keyPkcs8Pem(), "contains a private key but no certificate"),
                Arguments.of("only EC parameters", EC_PARAMETERS, "contains neither a certificate nor a private key"),
                Arguments.of("DH parameters", ec.haproxyPem() + TestCertificates.pemBlock("DH PARAMETERS", new byte[] {0x30, 0}),
                        "unsupported DH PARAMETERS block: Diffie-Hellman parameters are not carried"),
                Arguments.of("signing request", TestCertificates.pemBlock("CERTIFICATE REQUEST", new byte[] {0x30, 0}) + ec.keyPkcs8Pem(),
                        "unsupported CERTIFICATE REQUEST block: that is a signing request"),
                Arguments.of("unknown label", ec.haproxyPem() + TestCertificates.pemBlock("X509 CRL", new byte[] {0x30, 0}),
                        "unsupported X509 CRL block"),
                Arguments.of("leaf after its intermediate", intermediate + ec.certPem() + ec.keyPkcs8Pem(),
                        "chain out of order: the private key belongs to certificate #2 (CN=shop.example.test)"),
                Arguments.of("certificate that is not X.509", TestCertificates.pemBlock("CERTIFICATE", new byte[] {0x30, 3, 2, 1, 0})
                        + ec.keyPkcs8Pem(), "certificate block #1 is not a valid X.509 certificate"),
                Arguments.of("encrypted key", ec.fullchainPem() + TestCertificates.pemBlock("ENCRYPTED PRIVATE KEY",
                        ec.keys().getPrivate().getEncoded()), "encrypted keys are not supported"),
                Arguments.of("DSA key", dsa.fullchainPem() + dsa.keyPkcs8Pem(), "holds a DSA key, which is not supported"),
                Arguments.of("truncated key", ec.fullchainPem() + ec.keyPkcs8Pem().substring(0, 100),
                        "the PRIVATE KEY block starting at line"),
                Arguments.of("glued key with damaged base64", ec.fullchainPem().strip()
                        + ec.keyPkcs8Pem().replaceFirst("\n(.{10})", "\n\\$\\$\\$\\$\\$\\$"), "is not valid base64"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsWithASpecificMessage(String name, String pem, String expected) {
        assertThatThrownBy(() -> BundleReader.fromPem(pem, ORIGIN))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(ORIGIN)
                .hasMessageContaining(expected)
                .satisfies(e -> KeyLeaks.assertNoKeyMaterial(e.getMessage(), Fixtures.leaf(KeyType.EC_P256),
                        Fixtures.leaf(KeyType.RSA_2048)));
    }

    @Test
    void bundlesOfOneIssuerShareTheirChainCertificateNotTheirLeaf() throws Exception {
        Issued first = Fixtures.INTERMEDIATE.leaf("a.example.test").serial(Fixtures.nextSerial()).issue();
        Issued second = Fixtures.INTERMEDIATE.leaf("b.example.test").serial(Fixtures.nextSerial()).issue();
        Bundle a = BundleReader.fromPem(first.haproxyPem(), "a.pem");
        Bundle b = BundleReader.fromPem(second.haproxyPem(), "b.pem");
        Bundle again = BundleReader.fromPem(first.haproxyPem(), "a.pem");

        assertThat(b.chain().get(0)).isSameAs(a.chain().get(0)).isEqualTo(Fixtures.INTERMEDIATE.certificate());
        assertThat(again.leaf()).isEqualTo(a.leaf()).isNotSameAs(a.leaf());
    }
}
