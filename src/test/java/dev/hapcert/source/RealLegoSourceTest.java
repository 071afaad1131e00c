package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.FreePorts;
import dev.hapcert.testkit.Pebble;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's lego (4.9) issues from a real Pebble through its own run hook: once over http-01 for two names, once a
 * wildcard over dns-01 (lego's exec DNS provider with a no-op program; Pebble skips validation). Its hook
 * environment is detected and its path loads with {@link LegoSource}, with the same names and serials.
 * Needs {@code apt-get install -y lego}.
 */
class RealLegoSourceTest {
    @TempDir
    static Path tmp;
    static Pebble pebble;

    @BeforeAll
    static void startPebble() {
        pebble = Pebble.start(tmp.resolve("pebble"));
    }

    @AfterAll
    static void stopPebble() {
        if (pebble != null) {
            pebble.close();
        }
    }

    private static CommandRun lego(Path path, HookRecorder hook, List<String> challenge, String... domains) {
        List<String> cmd = new ArrayList<>(List.of("lego", "--server", pebble.directoryUrl(), "--accept-tos",
                "--email", "ops@example.org", "--path", path.toString(), "--key-type", "ec256"));
        for (String d : domains) {
            cmd.addAll(List.of("--domains", d));
        }
        cmd.addAll(challenge);
        cmd.addAll(List.of("run", "--run-hook", hook.script().toString()));
        return CommandRun.run(cmd, Map.of("LEGO_CA_CERTIFICATES", pebble.caBundle().toString(),
                "EXEC_PATH", "/bin/true", "EXEC_SEQUENCE_INTERVAL", "1", "EXEC_POLLING_INTERVAL", "1",
                "EXEC_PROPAGATION_TIMEOUT", "5"), tmp, Duration.ofSeconds(120));
    }

    @Test
    void runHookEnvironmentAndPath() throws Exception {
        Path path = tmp.resolve("lego");
        HookRecorder httpHook = HookRecorder.create(tmp.resolve("hooks"), "lego-http-hook", "LEGO_");
        HookRecorder dnsHook = HookRecorder.create(tmp.resolve("hooks"), "lego-dns-hook", "LEGO_");

        CommandRun http = lego(path, httpHook, List.of("--http", "--http.port", "127.0.0.1:" + FreePorts.next()),
                "app.example.test", "www.example.test");
        assertThat(http.exitCode()).as(http.describe()).isZero();
        CommandRun dns = lego(path, dnsHook, List.of("--dns", "exec", "--dns.disable-cp"), "*.example.test", "example.test");
        assertThat(dns.exitCode()).as(dns.describe()).isZero();

        Map<String, String> httpEnv = httpHook.lastEnvironment();
        assertThat(httpEnv).containsKeys("LEGO_CERT_PATH", "LEGO_CERT_KEY_PATH", "LEGO_CERT_DOMAIN");
        DesiredCertificate app = HookEnvironment.detect(httpEnv, null).orElseThrow().load().get(0);
        assertThat(app.name()).isEqualTo("app.example.test");
        assertThat(app.bundle().chain()).as("lego bundles the issuer into .crt").isNotEmpty();

        DesiredCertificate wildcard = HookEnvironment.detect(dnsHook.lastEnvironment(), null).orElseThrow().load().get(0);
        assertThat(wildcard.name()).isEqualTo("wildcard_.example.test");
        assertThat(wildcard.requiredNames()).containsExactly("*.example.test");

        List<DesiredCertificate> stored = new LegoSource(path).load();
        assertThat(stored).extracting(DesiredCertificate::name).containsExactly("wildcard_.example.test", "app.example.test");
        assertThat(stored.get(0).bundle().serialHex()).isEqualTo(wildcard.bundle().serialHex());
        assertThat(stored.get(1).bundle().serialHex()).isEqualTo(app.bundle().serialHex());
        assertThat(stored.get(1).requiredNames()).containsExactlyInAnyOrder("app.example.test", "www.example.test");
    }
}
