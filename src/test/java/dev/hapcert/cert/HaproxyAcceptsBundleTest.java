package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bytes {@link Bundle#haproxyPem()} renders are loadable by the real HAProxy, for every key type and key form,
 * including inputs that needed normalising. Uses {@code haproxy -c} (configuration check: every certificate is
 * loaded and its key matched, nothing is bound or left running).
 */
@Tag("integration")
class HaproxyAcceptsBundleTest {
    private static final Path HAPROXY = dev.hapcert.testkit.HaproxyProcess.HAPROXY;

    @TempDir
    Path dir;

    @Test
    void haproxyLoadsEveryRenderedBundle() throws Exception {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped");
        assumeTrue(Files.isExecutable(HAPROXY), "HAProxy is not installed");
        List<String> crtList = new ArrayList<>();
        for (KeyType type : List.of(KeyType.RSA_2048, KeyType.RSA_4096, KeyType.EC_P256, KeyType.EC_P384, KeyType.ED25519)) {
            Issued issued = Fixtures.leaf(type);
            List<String> keyForms = new ArrayList<>(List.of(issued.keyPkcs8Pem()));
            if (type != KeyType.ED25519) {
                keyForms.add(Fixtures.traditionalPem(issued));
            }
            for (int i = 0; i < keyForms.size(); i++) {
                String messy = (issued.fullchainPem() + keyForms.get(i)).replace("-----\n-----BEGIN", "----------BEGIN")
                        .replace("\n", "\r\n\r\n");
                Bundle bundle = BundleReader.fromPem(messy, type + " form " + i);
                Path file = dir.resolve(type.name().toLowerCase() + "-" + i + ".pem");
                Files.write(file, bundle.haproxyPem());
                crtList.add(file.toString());
            }
        }
        Path list = Files.write(dir.resolve("crt-list.txt"), crtList);
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // -c binds nothing, but HAProxy refuses port 0 in the configuration
        }
        Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), String.join("\n",
                "defaults", "  mode http", "  timeout client 5s", "  timeout server 5s", "  timeout connect 5s",
                "frontend fe", "  bind 127.0.0.1:" + port + " ssl crt-list " + list, "  http-request return status 200", ""));

        Process p = new ProcessBuilder(HAPROXY.toString(), "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
        String output;
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("haproxy -c finished").isTrue();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        // HAProxy's own message names the file it could not load; it does not print key material.
        assertThat(p.exitValue()).as("haproxy -c: %s", output).isZero();
        assertThat(output).doesNotContain("[ALERT]");  // 2.6 adds "Configuration file is valid", 3.0 nothing
    }
}
