package dev.hapcert.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hapcert.config.FileOwnership;
import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileWriterTest {
    private static final FileOwnership DEFAULT = FileOwnership.DEFAULT;

    @TempDir
    Path dir;

    @Test
    void currentTellsNothingFromAFileFromSomethingElseWithoutFollowingLinks() throws Exception {
        assertThat(AtomicFileWriter.current(dir.resolve("missing.pem"))).isEqualTo(new AtomicFileWriter.Current(false, null));
        Path file = Files.writeString(dir.resolve("site.pem"), "bundle");
        AtomicFileWriter.Current regular = AtomicFileWriter.current(file);
        assertThat(regular.exists()).isTrue();
        assertThat(regular.content()).isEqualTo("bundle".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Path link = Files.createSymbolicLink(dir.resolve("link.pem"), file);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.pem"), dir.resolve("nowhere.pem"));
        Path subdir = Files.createDirectory(dir.resolve("dir.pem"));
        for (Path somethingElse : java.util.List.of(link, dangling, subdir)) {
            assertThat(AtomicFileWriter.current(somethingElse)).as(somethingElse.toString())
                    .isEqualTo(new AtomicFileWriter.Current(true, null));
            assertThat(AtomicFileWriter.currentContent(somethingElse)).isNull();
        }
    }

    @Test
    void createsWithExactModeAndReplacesAtomically() throws Exception {
        Path target = dir.resolve("crt-list.txt");
        AtomicFileWriter.write(target, bytes("one\n"), DEFAULT);
        assertThat(target).hasContent("one");
        assertThat(mode(target)).isEqualTo("rw-------");

        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
        AtomicFileWriter.write(target, bytes("two\n"), DEFAULT);
        assertThat(target).hasContent("two");
        assertThat(mode(target)).as("the old file's wide mode is not inherited").isEqualTo("rw-------");
        assertThat(temps()).isEmpty();
    }

    @Test
    void setsGroupAndGroupMode() throws Exception {
        String group = otherGroup();
        Path target = dir.resolve("site.pem");
        AtomicFileWriter.write(target, bytes("pem"), new FileOwnership(FileOwnership.parseMode("0640"),
                Optional.of(group)));
        PosixFileAttributes attrs = Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(attrs.group().getName()).isEqualTo(group);
        assertThat(PosixFilePermissions.toString(attrs.permissions())).isEqualTo("rw-r-----");
    }


    @Test
    void everyModeEndsExactlyAsConfigured() throws Exception {
        // The final mode is set only when it differs from the owner-only mode of the creation: both paths.
        for (String mode : new String[] {"0640", "0660", "0600", "0400"}) {
            Path target = dir.resolve("site-" + mode + ".pem");
            AtomicFileWriter.write(target, bytes("pem"), new FileOwnership(FileOwnership.parseMode(mode), Optional.empty()));
            assertThat(Files.getPosixFilePermissions(target)).as(mode).isEqualTo(FileOwnership.parseMode(mode));
            assertThat(target).hasContent("pem");
        }
        assertThat(temps()).isEmpty();
    }
    @Test
    void unknownGroupFailsAndLeavesNoTemp() {
        Path target = dir.resolve("site.pem");
        assertThatThrownBy(() -> AtomicFileWriter.write(target, bytes("pem"),
                new FileOwnership(FileOwnership.parseMode("0640"), Optional.of("no-such-group-hapcert"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cannot write " + target + ": group 'no-such-group-hapcert' (files.group) does not exist"
                        + " on this host");
        assertThat(target).doesNotExist();
        assertThat(temps()).isEmpty();
    }

    @Test
    void refusesASymlinkAtTheTarget() throws Exception {
        Path elsewhere = dir.resolve("elsewhere.txt");
        Files.writeString(elsewhere, "keep me");
        Path target = dir.resolve("crt-list.txt");
        Files.createSymbolicLink(target, elsewhere);
        assertThatThrownBy(() -> AtomicFileWriter.write(target, bytes("x"), DEFAULT))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("refusing to write " + target + ": it is a symbolic link");
        assertThat(elsewhere).hasContent("keep me");
        assertThat(Files.isSymbolicLink(target)).isTrue();
        // A dangling link is refused too: writing through it would create a file wherever it points.
        Path dangling = dir.resolve("dangling.pem");
        Files.createSymbolicLink(dangling, dir.resolve("missing/victim.pem"));
        assertThatThrownBy(() -> AtomicFileWriter.write(dangling, bytes("x"), DEFAULT))
                .hasMessageContaining("is a symbolic link");
    }

    @Test
    void refusesAMissingDirectoryAndADirectoryTarget() throws Exception {
        Path target = dir.resolve("missing/crt-list.txt");
        assertThatThrownBy(() -> AtomicFileWriter.write(target, bytes("x"), DEFAULT))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot write " + target + ": directory " + dir.resolve("missing")
                        + " does not exist");
        Files.createDirectory(dir.resolve("sub"));
        assertThatThrownBy(() -> AtomicFileWriter.write(dir.resolve("sub"), bytes("x"), DEFAULT))
                .hasMessageContaining("exists and is not a regular file");
    }

    @Test
    void readOnlyDirectoryIsAConfigErrorNamingThePath() throws Exception {
        Path locked = Files.createDirectory(dir.resolve("locked"));
        // As root a chmod does not stop writes; an immutable directory does, where the file system supports it.
        assumeTrue(run("chattr", "+i", locked.toString()) == 0, "chattr +i is not supported here");
        try {
            Path target = locked.resolve("crt-list.txt");
            assertThatThrownBy(() -> AtomicFileWriter.write(target, bytes("x"), DEFAULT))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("cannot write " + target + ": ");
            assertThat(target).doesNotExist();
        } finally {
            run("chattr", "-i", locked.toString());
        }
    }

    @Test
    void failureMessagesNameThePathAndReason() {
        Path p = Path.of("/etc/haproxy/crt-list.txt");
        assertThat(AtomicFileWriter.failure(p, new java.nio.file.FileSystemException(p.toString(), null,
                "Read-only file system")).getMessage())
                .isEqualTo("cannot write /etc/haproxy/crt-list.txt: read-only file system");
        assertThat(AtomicFileWriter.failure(p, new java.nio.file.AccessDeniedException(p.toString())).getMessage())
                .isEqualTo("cannot write /etc/haproxy/crt-list.txt: permission denied");
    }

    @Test
    void removesStaleTempsOnly() throws Exception {
        Files.writeString(dir.resolve(".hapcert-a.pem.0011aabbccdd.tmp"), "left by a crash");
        Files.writeString(dir.resolve(".hapcert-crt-list.txt.ffeeddccbbaa.tmp"), "left by a crash");
        Files.writeString(dir.resolve("a.pem"), "keep");
        Files.writeString(dir.resolve(".other.tmp"), "keep");
        assertThat(AtomicFileWriter.removeStaleTemps(dir)).isEqualTo(2);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.pem", ".other.tmp");
        }
        assertThat(AtomicFileWriter.removeStaleTemps(dir.resolve("missing"))).isZero();
    }

    @Test
    void tempNamesStayWithinFileNameLimits() {
        String name = AtomicFileWriter.tempName("x".repeat(250) + ".pem");
        assertThat(name).startsWith(".hapcert-xxx").endsWith(".tmp");
        assertThat(name.length()).isLessThanOrEqualTo(255);
        assertThat(AtomicFileWriter.tempName("a.pem")).matches("\\.hapcert-a\\.pem\\.[0-9a-f]{12}\\.tmp");
    }

    static String otherGroup() {
        try {
            return Path.of("/").getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName("daemon").getName();
        } catch (UserPrincipalNotFoundException e) {
            assumeTrue(false, "no 'daemon' group on this host");
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Path> temps() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".hapcert-")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.waitFor(30, TimeUnit.SECONDS);
        return p.exitValue();
    }
}
