package dev.hapcert.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import dev.hapcert.testkit.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hook script as {@code sh} runs it: awkward paths and arguments arrive intact, and the launcher reads back. */
class CertbotHookTest {
    @TempDir
    Path tmp;

    /** A stand-in for the launcher at {@code path} (under the temp dir): a shell script of {@code body}. */
    private Path fakeLauncher(String path, String body) throws Exception {
        Path launcher = tmp.resolve(path);
        Files.createDirectories(launcher.getParent());
        Files.writeString(launcher, "#!/bin/sh\n" + body);
        assertThat(launcher.toFile().setExecutable(true)).isTrue();
        return launcher;
    }

    @Test
    void shRunsTheLauncherWithEveryArgumentIntact() throws Exception {
        Path launcher = fakeLauncher("it's a dir/bin/hapcert",
                "for a in \"$@\"; do printf '%s\\n' \"$a\"; done\necho \"lineage=$RENEWED_LINEAGE\"\n");
        CertbotHook hook = new CertbotHook(Files.createDirectories(tmp.resolve("le")));
        List<String> args = List.of("--config", "/etc/h a/it's.yml", "--target", "a,b", "$HOME", "*");

        assertThat(hook.install(launcher, args, Optional.empty())).isEqualTo(CertbotHook.Installed.INSTALLED);
        CommandRun run = CommandRun.run(List.of(hook.file().toString()), Map.of("RENEWED_LINEAGE", "/le/live/x"), tmp,
                Duration.ofSeconds(10));

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stdout().lines().toList()).containsExactly("deploy", "--config", "/etc/h a/it's.yml", "--target",
                "a,b", "$HOME", "*", "lineage=/le/live/x");
        assertThat(hook.launcher()).contains(launcher);
        assertThat(hook.state()).isEqualTo(CertbotHook.State.INSTALLED);
        assertThat(hook.install(launcher, args, Optional.empty())).isEqualTo(CertbotHook.Installed.UNCHANGED);
    }

    @Test
    void theHookRunsWithTheInstallersJavaUnlessCertbotsEnvironmentNamesOne() throws Exception {
        Path launcher = fakeLauncher("bin/hapcert", "echo \"java_home=${JAVA_HOME:-unset}\"\n");
        CertbotHook hook = new CertbotHook(Files.createDirectories(tmp.resolve("le")));
        Path javaHome = tmp.resolve("jdk's home");

        assertThat(hook.install(launcher, List.of(), Optional.of(javaHome))).isEqualTo(CertbotHook.Installed.INSTALLED);
        // certbot's own environment, as a service manager starts it: no JAVA_HOME.
        CommandRun bare = CommandRun.run(List.of("/usr/bin/env", "-u", "JAVA_HOME", hook.file().toString()), Map.of(),
                tmp, Duration.ofSeconds(10));
        assertThat(bare.stdout().strip()).as(bare.describe()).isEqualTo("java_home=" + javaHome);
        CommandRun named = CommandRun.run(List.of(hook.file().toString()), Map.of("JAVA_HOME", "/opt/other-jdk"), tmp,
                Duration.ofSeconds(10));
        assertThat(named.stdout().strip()).as(named.describe()).isEqualTo("java_home=/opt/other-jdk");
        assertThat(hook.launcher()).contains(launcher);
        assertThat(hook.install(launcher, List.of(), Optional.of(javaHome))).isEqualTo(CertbotHook.Installed.UNCHANGED);
        assertThat(hook.install(launcher, List.of(), Optional.empty())).as("without a Java: another script")
                .isEqualTo(CertbotHook.Installed.UPDATED);
    }

    @Test
    void refusesALauncherThatIsNotAnExecutableAndAMissingConfigDir() throws Exception {
        CertbotHook hook = new CertbotHook(tmp.resolve("missing"));
        Path notExecutable = Files.writeString(tmp.resolve("hapcert"), "");
        Path sh = Path.of("/bin/sh");

        assertThatThrownBy(() -> hook.install(notExecutable, List.of(), Optional.empty()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not an absolute path to an executable");
        assertThatThrownBy(() -> hook.install(sh, List.of(), Optional.empty())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no certbot config directory");
        assertThat(hook.state()).isEqualTo(CertbotHook.State.ABSENT);
    }

    @Test
    void aLinkInThePlaceOfTheHookIsSomeoneElses() throws Exception {
        Path le = Files.createDirectories(tmp.resolve("le"));
        CertbotHook hook = new CertbotHook(le);
        Files.createDirectories(hook.deployDir());
        Path real = Files.writeString(tmp.resolve("real-hook"), "#!/bin/sh\n" + CertbotHook.MARKER + "\n");
        Files.createSymbolicLink(hook.file(), real);

        assertThat(hook.state()).isEqualTo(CertbotHook.State.FOREIGN);
        assertThatThrownBy(hook::uninstall).isInstanceOf(ConfigException.class);
        assertThat(Files.isSymbolicLink(hook.file())).isTrue();
    }
}
