package dev.hapcert.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the haproxy.cfg fixtures are real HAProxy configurations: each is rendered into a temp directory with
 * the certificates and crt-lists it names, checked with {@code haproxy -c}, and the discoverable ones are then
 * discovered from disk.
 */
class HaproxyCfgFixturesRealTest {
    private static final String CERT = "<certificate>";
    private static String pem;

    @BeforeAll
    static void mint() {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (-Dhapcert.it.skip=true)");
        // An explicit serial: LeafSpec.issue() without one passes null on (reported as a testkit bug).
        pem = TestCertificates.newRootCa("Fixture CA").leaf("site.test").serial(BigInteger.valueOf(4242)).issue()
                .haproxyPem();
    }

    /** Files each fixture refers to, relative to @BASE@; CERT means a certificate bundle. */
    private static Map<String, String> filesOf(String fixture) {
        Map<String, String> files = new LinkedHashMap<>();
        switch (fixture) {
            case "debian.cfg" -> {
                files.put("crt-list.txt", "# default certificate first\nsite.pem [alpn h2,http/1.1]\n");
                files.put("private/site.pem", CERT);
            }
            case "shared-crt-list.cfg" -> {
                files.put("lists/crt-list.txt", "@BASE@/lists/a.pem\n@BASE@/lists/b.pem !*\n");
                files.put("lists/a.pem", CERT);
                files.put("lists/b.pem", CERT);
            }
            case "two-crt-lists.cfg" -> {
                files.put("public.txt", "@BASE@/a.pem\n");
                files.put("partners.txt", "@BASE@/a.pem [verify required]\n");
                files.put("a.pem", CERT);
                files.put("ca.pem", "<ca>");
            }
            case "only-crt.cfg" -> {
                files.put("certs/site.pem", CERT);
                files.put("certs/other.pem", CERT);
            }
            case "quoted.cfg" -> {
                files.put("my lists/crt-list.txt", "site.pem\n");
                files.put("certs/site.pem", CERT);
            }
            default -> throw new IllegalArgumentException(fixture);
        }
        return files;
    }

    @ParameterizedTest
    @ValueSource(strings = {"debian.cfg", "shared-crt-list.cfg", "two-crt-lists.cfg", "only-crt.cfg", "quoted.cfg"})
    void fixtureIsAValidHaproxyConfiguration(String fixture, @TempDir Path dir) throws Exception {
        String base = dir.toString();
        String caPem = TestCertificates.pem(TestCertificates.newRootCa("Client CA").certificate());
        for (Map.Entry<String, String> f : filesOf(fixture).entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            String content = switch (f.getValue()) {
                case CERT -> pem;
                case "<ca>" -> caPem;
                default -> f.getValue().replace("@BASE@", base);
            };
            Files.writeString(p, content);
        }
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, HaproxyCfgFixtures.render(fixture, base));

        // Valid: exit status 0 (2.6 also says "Configuration file is valid", 3.0 says nothing), and no alert.
        String output = haproxyCheck(cfg);
        assertThat(output).as("haproxy -c output").doesNotContain("[ALERT]");

        if (!fixture.equals("two-crt-lists.cfg") && !fixture.equals("only-crt.cfg")) {
            TargetConfig target = HaproxyCfgDiscovery.discover(cfg).target();
            assertThat(Path.of(target.crtList())).isRegularFile();
            assertThat(Path.of(target.certDir())).isDirectory();
        }
    }

    private static String haproxyCheck(Path cfg) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(dev.hapcert.testkit.HaproxyProcess.HAPROXY.toString(), "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("haproxy -c exit status; output:%n%s", out).isZero();
        return out;
    }
}
