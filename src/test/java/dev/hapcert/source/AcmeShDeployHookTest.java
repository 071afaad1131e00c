package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped acme.sh deploy hook, run the way acme.sh runs a deploy hook: sourced into a shell that provides
 * acme.sh's helper functions, then {@code hapcert_deploy DOMAIN KEY CERT CA FULLCHAIN}. The helpers here are minimal
 * stand-ins written for this test (acme.sh is no Debian package); hapcert itself is a recorder script, so the test
 * sees exactly the command line the hook builds.
 */
class AcmeShDeployHookTest {
    private static final Path HOOK = Path.of("contrib/acme.sh/hapcert.sh").toAbsolutePath();

    @TempDir
    Path tmp;
    Path home;
    Path recorder;
    Path calls;

    @BeforeEach
    void setUp() throws Exception {
        home = tmp.resolve("acme home");
        calls = tmp.resolve("calls.txt");
        recorder = tmp.resolve("fake-hapcert");
        Files.writeString(recorder, """
                #!/bin/sh
                for a in "$@"; do printf '%s\\n' "$a"; done >> "$CALLS"
                echo "--end--" >> "$CALLS"
                exit "${FAKE_EXIT:-0}"
                """);
        recorder.toFile().setExecutable(true);
    }

    /** Sources the hook like acme.sh's _deploy and calls hapcert_deploy for the certificate in {@code dir}. */
    private CommandRun deploy(Path dir, String domain, Map<String, String> extraEnv) {
        String harness = """
                _debug() { :; }
                _debug2() { :; }
                _info() { echo "$*" >&2; }
                _err() { echo "ERR $*" >&2; }
                # acme.sh's contract: a variable already set wins, else the value saved as SAVED_<name>.
                _getdeployconf() {
                  eval "_v=\\${$1:-}"
                  if [ -z "$_v" ] && [ -f "$DOMAIN_CONF" ]; then
                    _v="$(sed -n "s/^SAVED_$1='\\(.*\\)'$/\\1/p" "$DOMAIN_CONF")"
                    eval "$1=\\$_v"
                  fi
                }
                _savedeployconf() {
                  touch "$DOMAIN_CONF"
                  sed -i "/^SAVED_$1=/d" "$DOMAIN_CONF"
                  printf "SAVED_%s='%s'\\n" "$1" "$2" >> "$DOMAIN_CONF"
                }
                . "$HOOK" || exit 90
                hapcert_deploy "$1" "$2" "$3" "$4" "$5"
                """;
        Map<String, String> env = new HashMap<>(Map.of("HOOK", HOOK.toString(), "CALLS", calls.toString(),
                "DOMAIN_CONF", dir.resolve(domain + ".conf").toString()));
        env.putAll(extraEnv);
        return CommandRun.run(List.of("sh", "-c", harness, "acme.sh", domain, dir.resolve(domain + ".key").toString(),
                dir.resolve(domain + ".cer").toString(), dir.resolve("ca.cer").toString(),
                dir.resolve("fullchain.cer").toString()), env, tmp, Duration.ofSeconds(20));
    }

    private List<String> recordedCalls() throws Exception {
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    @Test
    void callsHapcertWithTheFilesAndTheNameTheSourceUses() throws Exception {
        Path dir = ClientLayouts.acmeShDomain(home, "*.example.test", true, ClientLayouts.issue("*.example.test"), "no");

        CommandRun run = deploy(dir, "*.example.test", Map.of("HAPCERT_BIN", recorder.toString(),
                "HAPCERT_ARGS", "--config /etc/h a.yml --verify-tls *:443"));

        assertThat(run.exitCode()).as(run.describe()).isZero();
        String name = new AcmeShSource(home).load().get(0).name();
        assertThat(recordedCalls()).containsExactly("deploy", "--fullchain", dir.resolve("fullchain.cer").toString(),
                "--key", dir.resolve("*.example.test.key").toString(), "--name", name, "--domains", "*.example.test",
                "--config", "/etc/h", "a.yml", "--verify-tls", "*:443", "--end--");
        assertThat(name).isEqualTo("wildcard_.example.test_ecc");
    }

    @Test
    void settingsAreSavedForRenewalsOnlyAfterSuccess() throws Exception {
        Path dir = ClientLayouts.acmeShDomain(home, "example.test", false, ClientLayouts.issue("example.test"), "no");

        CommandRun failed = deploy(dir, "example.test", Map.of("HAPCERT_BIN", recorder.toString(),
                "HAPCERT_ARGS", "--config /bad.yml", "FAKE_EXIT", "5"));
        assertThat(failed.exitCode()).as(failed.describe()).isNotZero();
        assertThat(failed.stderr()).contains("hapcert deploy failed for example.test");
        assertThat(Files.readString(dir.resolve("example.test.conf"))).doesNotContain("SAVED_HAPCERT");

        CommandRun first = deploy(dir, "example.test", Map.of("HAPCERT_BIN", recorder.toString(), "HAPCERT_ARGS", "--config /good.yml"));
        assertThat(first.exitCode()).as(first.describe()).isZero();
        Files.delete(calls);

        // A renewal: acme.sh runs the hook again without the variables in the environment.
        CommandRun renewal = deploy(dir, "example.test", Map.of());
        assertThat(renewal.exitCode()).as(renewal.describe()).isZero();
        assertThat(recordedCalls()).containsSubsequence("--name", "example.test", "--config", "/good.yml", "--end--");
    }
}
