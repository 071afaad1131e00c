package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.CommandRun;
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
 * Debian's dehydrated issues from a real Pebble with the shipped {@code contrib/dehydrated/hook.sh} as its HOOK and
 * a recorder standing in for hapcert ({@code HAPCERT_BIN}): dehydrated's startup probe, challenge and exit events
 * must pass through the hook without reaching hapcert, each {@code deploy_cert} must reach it with dehydrated's
 * arguments, and those arguments must be detected and load like {@link DehydratedSource} does. One certificate is
 * issued over http-01, one wildcard with an alias over dns-01 (per-certificate config; Pebble skips validation).
 * Needs {@code apt-get install -y dehydrated}.
 */
class RealDehydratedSourceTest {
    private static final Path HOOK = Path.of("contrib/dehydrated/hook.sh").toAbsolutePath();

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
    void deployCertCallsReachHapcertAndLoadLikeTheStore() throws Exception {
        Path base = tmp.resolve("dehydrated");
        HookRecorder hapcert = HookRecorder.create(tmp.resolve("hooks"), "fake-hapcert", "HAPCERT_");
        Files.createDirectories(tmp.resolve("well-known"));
        ClientLayouts.write(tmp.resolve("domains.txt"), "app.example.test www.example.test\n*.example.test > star_example_test\n");
        ClientLayouts.write(base.resolve("certs/star_example_test/config"), "CHALLENGETYPE=\"dns-01\"\n");
        ClientLayouts.write(tmp.resolve("config"), """
                CA="%s"
                CHALLENGETYPE="http-01"
                WELLKNOWN="%s"
                BASEDIR="%s"
                DOMAINS_TXT="%s"
                HOOK="%s"
                CURL_OPTS="--cacert %s"
                KEY_ALGO=prime256v1
                KEYSIZE=2048
                export HAPCERT_BIN="%s"
                export HAPCERT_ARGS="--verbose"
                """.formatted(pebble.directoryUrl(), tmp.resolve("well-known"), base, tmp.resolve("domains.txt"), HOOK,
                pebble.caBundle(), hapcert.script()));

        CommandRun run = CommandRun.run(List.of("dehydrated", "--config", tmp.resolve("config").toString(), "--cron",
                "--accept-terms"), Map.of(), tmp, Duration.ofSeconds(120));
        assertThat(run.exitCode()).as(run.describe()).isZero();

        List<List<String>> calls = hapcert.calls();
        assertThat(calls).as("only deploy_cert reaches hapcert").hasSize(2)
                .allSatisfy(call -> assertThat(call.subList(0, 3)).containsExactly("deploy", "--verbose", "deploy_cert"));
        List<SourceItem> stored = new DehydratedSource(base).loadEach();
        assertThat(stored).extracting(SourceItem::name).containsExactly("app.example.test", "star_example_test");
        for (int i = 0; i < 2; i++) {
            List<String> call = calls.get(i);
            assertThat(call).hasSize(9);
            HookRequest request = HookEnvironment.detectArguments(call.subList(2, call.size()), null).orElseThrow();
            DesiredCertificate fromHook = ((HookRequest.Deploy) request).source().load().get(0);
            DesiredCertificate fromStore = ((SourceItem.Loaded) stored.get(i)).certificate();
            assertThat(fromHook.name()).isEqualTo(fromStore.name());
            assertThat(fromHook.bundle().serialHex()).isEqualTo(fromStore.bundle().serialHex());
            assertThat(fromHook.bundle().chain()).isNotEmpty();
        }
        assertThat(calls.get(1).get(3)).isEqualTo("*.example.test");
    }
}
