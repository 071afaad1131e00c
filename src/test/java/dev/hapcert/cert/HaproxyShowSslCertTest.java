package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates.KeyType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Our HAProxy-style values against replies captured from a real HAProxy 2.6.12 ({@code show ssl cert <name>}) for
 * the same certificates, stored as public certificates next to the replies. The certificates were made with
 * OpenSSL; their serials cover a high first bit (8F..), a leading zero nibble (0A..) and short serials.
 */
class HaproxyShowSslCertTest {
    private static final DateTimeFormatter HAPROXY_DATE =
            DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    @ParameterizedTest
    @ValueSource(strings = {"", "-ec384", "-rsa2048", "-rsa4096"})
    void serialFingerprintAlgorithmAndNamesMatchTheCapturedReply(String variant) throws Exception {
        Map<String, String> reply = reply("show-ssl-cert-detail" + variant + ".txt");
        X509Certificate cert = certificate("show-ssl-cert-detail" + variant + ".cert.pem");
        // Bundle does not check that key and leaf match; an unrelated key is enough to reach the derived values.
        Bundle bundle = new Bundle(cert, List.of(), Fixtures.pkcs8(Fixtures.leaf(KeyType.EC_P256).keys().getPrivate()));

        assertThat(bundle.serialHex()).isEqualTo(reply.get("Serial"));
        assertThat(bundle.sha1Fingerprint()).isEqualTo(reply.get("SHA1 FingerPrint"));
        assertThat(bundle.keyDescription()).isEqualTo(reply.get("Algorithm"));
        assertThat(bundle.notAfter()).isEqualTo(Instant.from(HAPROXY_DATE.parse(reply.get("notAfter"))));
        assertThat(bundle.notBefore()).isEqualTo(Instant.from(HAPROXY_DATE.parse(reply.get("notBefore"))));
        assertThat(bundle.dnsNames()).containsExactlyElementsOf(
                Arrays.stream(reply.get("Subject Alternative Name").split(", ")).map(s -> s.substring(4)).toList());
    }

    @Test
    void theHighBitSerialHasNoSignByteInHaproxy() throws Exception {
        X509Certificate cert = certificate("show-ssl-cert-detail.cert.pem");
        assertThat(cert.getSerialNumber().toByteArray()[0]).isZero();
        assertThat(reply("show-ssl-cert-detail.txt").get("Serial")).isEqualTo(HaproxyCertFormat.serial(cert))
                .startsWith("8F");
    }

    /** HAProxy 2.6.12 prints an empty Algorithm for Ed25519 and drops the rest of the detail; we still say ED25519. */
    @Test
    void ed25519DetailIsCutShortByHaproxy() throws Exception {
        Map<String, String> reply = reply("show-ssl-cert-detail-ed25519.txt");
        X509Certificate cert = certificate("show-ssl-cert-detail-ed25519.cert.pem");
        assertThat(reply.get("Serial")).isEqualTo(HaproxyCertFormat.serial(cert));
        assertThat(reply).doesNotContainKey("SHA1 FingerPrint").doesNotContainKey("Subject");
        assertThat(reply.get("Algorithm")).isEqualTo("OCSP Response Key:");
        assertThat(HaproxyCertFormat.keyDescription(cert.getPublicKey())).isEqualTo("ED25519");
    }

    private static Map<String, String> reply(String name) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : resource(name).split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 2).strip());
            }
        }
        return fields;
    }

    private static X509Certificate certificate(String name) throws Exception {
        List<PemBlock> blocks = PemReader.read(resource(name), name);
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(blocks.get(0).der()));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = HaproxyShowSslCertTest.class.getResourceAsStream("/haproxy-2.6/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
