package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.Certbot;
import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.Pebble;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every key type certbot issues, deployed by the hook and served by HAProxy. */
class CertbotKeyTypesIT {
    @TempDir
    static Path shared;
    private static Pebble pebble;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPebble() {
        pebble = Pebble.start(shared.resolve("pebble"));
    }

    @AfterAll
    static void stopPebble() {
        pebble.close();
    }

    static Stream<Arguments> keyTypes() {
        return Stream.of(
                Arguments.of("rsa2048", List.of("--key-type", "rsa", "--rsa-key-size", "2048"), "RSA2048", "RSA", 2048),
                Arguments.of("rsa4096", List.of("--key-type", "rsa", "--rsa-key-size", "4096"), "RSA4096", "RSA", 4096),
                Arguments.of("p256", List.of("--key-type", "ecdsa", "--elliptic-curve", "secp256r1"), "EC256", "EC", 256),
                Arguments.of("p384", List.of("--key-type", "ecdsa", "--elliptic-curve", "secp384r1"), "EC384", "EC", 384));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyTypes")
    void issuedAndServed(String label, List<String> keyOptions, String haproxyAlgorithm, String javaAlgorithm, int bits)
            throws Exception {
        try (HaproxyProcess haproxy = HaproxyProcess.builder().crtBase().start()) {
            Certbot certbot = new Certbot(Files.createDirectories(tmp.resolve("certbot")), pebble);
            String domain = label + ".keys.example.test";
            CommandRun issued = certbot.certonlyWithKey(keyOptions, Hapcert.deployHook("--haproxy-config",
                    haproxy.config().toString()), domain);
            assertThat(issued.exitCode()).as(issued.describe()).isZero();

            X509Certificate live = CertbotLive.leaf(certbot.live(domain));
            X509Certificate served = haproxy.servedCertificate(domain);
            assertThat(served).isEqualTo(live);
            PublicKey key = served.getPublicKey();
            assertThat(key.getAlgorithm()).isEqualTo(javaAlgorithm);
            int actualBits = key instanceof RSAPublicKey rsa ? rsa.getModulus().bitLength()
                    : ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
            assertThat(actualBits).isEqualTo(bits);
            String certName = haproxy.certsDir().resolve(domain + ".pem").toString();
            assertThat(RuntimeApiProbe.command(haproxy.adminSocket(), "show ssl cert " + certName))
                    .contains("Algorithm: " + haproxyAlgorithm);
            Hapcert.removeZeroConfigLock(haproxy);
        }
    }
}
