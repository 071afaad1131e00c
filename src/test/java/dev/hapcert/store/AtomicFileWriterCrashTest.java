package dev.hapcert.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the writer in a child JVM under several umasks and kills it at its crash points, then checks what a
 * crash leaves behind: the temp file never had more than the owner-only mode, the target is either complete old
 * or complete new, and the final mode is exactly the configured one whatever the umask.
 */
class AtomicFileWriterCrashTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "umask {0}")
    @ValueSource(strings = {"000", "022", "077", "277"})
    void modesAreExactWhateverTheUmaskAndCrashesLeaveValidFiles(String umask) throws Exception {
        String group = AtomicFileWriterTest.otherGroup();
        Path target = dir.resolve("site.pem");
        Files.writeString(target, "old\n");

        // Killed after the temp file is written: the old file is intact, the temp is owner-only.
        assertThat(child(umask, "after-temp-write", target, "new\n", group)).isEqualTo(CrashPoint.EXIT_STATUS);
        assertThat(target).hasContent("old");
        List<Path> temps = temps();
        assertThat(temps).hasSize(1);
        assertThat(temps.get(0).getFileName().toString()).startsWith(".hapcert-site.pem.").endsWith(".tmp");
        assertThat(mode(temps.get(0))).isEqualTo("rw-------");
        assertThat(temps.get(0)).hasContent("new");
        assertThat(AtomicFileWriter.removeStaleTemps(dir)).isEqualTo(1);

        // Killed right after the rename: the new file is complete, with its final mode and group.
        assertThat(child(umask, "after-rename", target, "newer\n", group)).isEqualTo(CrashPoint.EXIT_STATUS);
        assertThat(target).hasContent("newer");
        assertThat(temps()).isEmpty();
        assertThat(mode(target)).isEqualTo("rw-r-----");

        // A normal run.
        assertThat(child(umask, "", target, "newest\n", group)).isZero();
        PosixFileAttributes attrs = Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(PosixFilePermissions.toString(attrs.permissions())).isEqualTo("rw-r-----");
        assertThat(attrs.group().getName()).isEqualTo(group);
        assertThat(target).hasContent("newest");
        assertThat(temps()).isEmpty();
    }

    private int child(String umask, String crashAt, Path target, String content, String group)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "umask " + umask + "; exec \"$@\"", "sh", java,
                "-cp", System.getProperty("java.class.path"), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                AtomicWriteChild.class.getName(), target.toString(), "0640", group, content);
        pb.environment().put(CrashPoint.ENVIRONMENT, crashAt);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() != 0 && p.exitValue() != CrashPoint.EXIT_STATUS) {
            throw new AssertionError("child failed with " + p.exitValue() + ":\n" + out);
        }
        return p.exitValue();
    }

    private List<Path> temps() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
