package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher in the environments hooks run in, which may lack what an interactive shell has. */
class LauncherEnvironmentIT {
    @TempDir
    Path tmp;

    /**
     * A service manager may run the hook without HOME (systemd sets it only for a service with User=). When the jar's
     * directory is not writable either, the launcher has nowhere to keep an archive: it must run hapcert without one
     * instead of failing on the unset variable. Root may write anywhere, so this runs as nobody (setpriv), from a
     * copy of the launcher and jar that nobody can read.
     */
    @Test
    void withoutHomeOrAWritableJarDirectoryItRunsWithoutAnArchive() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(root && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv to run as nobody");
        Path install = Files.createDirectory(tmp.resolve("install"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = Files.createDirectory(install.resolve("bin"));
        Path lib = Files.createDirectory(install.resolve("lib"));
        Path launcher = Files.copy(Hapcert.launcher(), bin.resolve("hapcert"));
        Files.copy(Hapcert.home().resolve("target/hapcert.jar"), lib.resolve("hapcert.jar"),
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(lib.resolve("hapcert.jar"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(install, PosixFilePermissions.fromString("r-xr-xr-x"));

        CommandRun run = CommandRun.run(List.of("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", "/usr/bin/env", "-i", "PATH=/usr/bin:/bin", launcher.toString(), "status",
                "--haproxy-config", tmp.resolve("none.cfg").toString()), Map.of(), null, Duration.ofSeconds(60));
        assertThat(run.stderr()).as(run.describe()).doesNotContain("parameter not set")
                .contains(tmp.resolve("none.cfg") + " does not exist");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(8);
        try (var files = Files.list(lib)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("hapcert.jar");
        }
    }

    /**
     * The launcher puts the archive's path into the JVM's options unquoted; installed under a path with a space, it
     * recorded an archive on the first run and then broke every later one. Such an install now runs without one.
     */
    @Test
    void installedUnderAPathWithASpaceEveryRunWorks() throws Exception {
        Path install = tmp.resolve("my apps/hapcert");
        Path bin = Files.createDirectories(install.resolve("bin"));
        Path lib = Files.createDirectories(install.resolve("lib"));
        Path launcher = Files.copy(Hapcert.launcher(), bin.resolve("hapcert"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(Hapcert.home().resolve("target/hapcert.jar"), lib.resolve("hapcert.jar"));
        try (HaproxyProcess haproxy = HaproxyProcess.builder().start()) {
            for (int run = 1; run <= 2; run++) {
                CommandRun status = CommandRun.run(List.of(launcher.toString(), "status", "--haproxy-config",
                        haproxy.config().toString()), Map.of(), null, Duration.ofSeconds(60));
                assertThat(status.exitCode()).as("run " + run + ": " + status.describe()).isIn(0, 9);
            }
        }
        try (var files = Files.list(lib)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("hapcert.jar");
        }
    }
}
