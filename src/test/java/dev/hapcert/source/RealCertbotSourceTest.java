package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.Certbot;
import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.FreePorts;
import dev.hapcert.testkit.Pebble;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's certbot issues from a real Pebble: its deploy hook environment is detected, and its config directory,
 * with one standalone lineage (certbot 2.x writes no domain list for it) and one webroot lineage (domains in
 * {@code [[webroot_map]]}), loads with {@link CertbotConfigSource}.
 */
class RealCertbotSourceTest {
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

    @Test
    void hookEnvironmentAndConfigDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("certbot"));
        Certbot certbot = new Certbot(dir, pebble);
        HookRecorder hook = HookRecorder.create(tmp.resolve("hooks"), "certbot-hook", "RENEWED_");

        CommandRun standalone = certbot.certonly(hook.script().toString(), "shop.example.test", "www.shop.example.test");
        assertThat(standalone.exitCode()).as(standalone.describe()).isZero();
        Map<String, String> env = hook.lastEnvironment();
        assertThat(env).containsKey("RENEWED_LINEAGE");

        Path webroot = Files.createDirectories(tmp.resolve("www"));
        CommandRun webrootRun = CommandRun.run(List.of("certbot", "certonly", "--non-interactive", "--agree-tos",
                "-m", "ops@example.org", "--server", pebble.directoryUrl(), "--config-dir", certbot.configDir().toString(),
                "--work-dir", dir.resolve("work").toString(), "--logs-dir", dir.resolve("logs").toString(),
                "--webroot", "-w", webroot.toString(), "-d", "api.example.test", "-d", "v2.api.example.test",
                "--key-type", "rsa", "--rsa-key-size", "2048", "--http-01-port", String.valueOf(FreePorts.next())),
                Map.of("REQUESTS_CA_BUNDLE", pebble.caBundle().toString()), dir, Duration.ofSeconds(120));
        assertThat(webrootRun.exitCode()).as(webrootRun.describe()).isZero();

        DesiredCertificate fromHook = HookEnvironment.detect(env, null).orElseThrow().load().get(0);
        assertThat(fromHook.name()).isEqualTo("shop.example.test");
        assertThat(fromHook.requiredNames()).containsExactly("shop.example.test", "www.shop.example.test");

        List<SourceItem> items = new CertbotConfigSource(certbot.configDir()).loadEach();
        assertThat(items).extracting(SourceItem::name).containsExactly("api.example.test", "shop.example.test");
        assertThat(items).allMatch(SourceItem.Loaded.class::isInstance);
        DesiredCertificate api = ((SourceItem.Loaded) items.get(0)).certificate();
        DesiredCertificate shop = ((SourceItem.Loaded) items.get(1)).certificate();
        assertThat(api.requiredNames()).as("from [[webroot_map]]").containsExactlyInAnyOrder("api.example.test", "v2.api.example.test");
        assertThat(shop.requiredNames()).as("from the certificate").containsExactlyInAnyOrder("shop.example.test", "www.shop.example.test");
        assertThat(shop.bundle().serialHex()).isEqualTo(fromHook.bundle().serialHex());
        assertThat(api.bundle().chain()).isNotEmpty();
        assertThat(Files.readString(certbot.configDir().resolve("renewal/api.example.test.conf"))).contains("[[webroot_map]]");
    }
}
