package dev.hapcert.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import dev.hapcert.haproxy.CertificateLock;
import dev.hapcert.testkit.LockHolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondHolderOfTheSameDirectoryWaitsEvenUnderAnotherSpelling() throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("srv/certs"));
        Path linked = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("srv"));
        AtomicBoolean secondHolds = new AtomicBoolean();
        CountDownLatch secondDone = new CountDownLatch(1);
        Thread second;
        try (SharedFiles first = SharedFiles.hold(List.of(certs, tmp.resolve("srv/crt-list.txt")))) {
            second = new Thread(() -> {
                // The same directory through a symlink, and a crt-list that does not exist yet under another spelling.
                try (SharedFiles held = SharedFiles.hold(List.of(tmp.resolve("other.txt"), linked.resolve("certs/")))) {
                    secondHolds.set(true);
                }
                secondDone.countDown();
            });
            second.start();
            assertThat(secondDone.await(300, TimeUnit.MILLISECONDS)).as("second holder done while the first holds").isFalse();
            assertThat(secondHolds).isFalse();
        }
        assertThat(secondDone.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(secondHolds).isTrue();
        second.join();
    }

    @Test
    void holdersOfDifferentFilesDoNotWaitOnEachOther() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        CountDownLatch secondDone = new CountDownLatch(1);
        try (SharedFiles first = SharedFiles.hold(List.of(a, a.resolve("crt-list.txt")))) {
            Thread second = new Thread(() -> {
                try (SharedFiles held = SharedFiles.hold(List.of(b, b.resolve("crt-list.txt")))) {
                    secondDone.countDown();
                }
            });
            second.start();
            assertThat(secondDone.await(30, TimeUnit.SECONDS)).as("second holder done while the first holds").isTrue();
            second.join();
        }
    }

    @Test
    void anotherProcessHoldingTheDirectoryIsWaitedForThenNamed() throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        Path lockFile = certs.resolve(CertificateLock.SHARED_LOCK_NAME);
        try (LockHolder holder = LockHolder.start(lockFile)) {
            assertThatThrownBy(() -> SharedFiles.hold(certs, certs.resolve("crt-list.txt"), Duration.ofMillis(300), true))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("the certificate directory " + certs.toRealPath())
                    .hasMessageContaining("is held by another hapcert process");
            // A dry run, which creates no lock file, still waits for one that is there.
            assertThatThrownBy(() -> SharedFiles.hold(certs, certs.resolve("crt-list.txt"), Duration.ofMillis(300), false))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("is held by another hapcert process");
            // Nothing of this process stays held after that failure: another thread gets the files at once.
            assertThat(CompletableFuture.supplyAsync(() -> {
                SharedFiles.hold(List.of(certs)).close();
                return true;
            }).get(10, TimeUnit.SECONDS)).isTrue();
            holder.release();
            try (SharedFiles held = SharedFiles.hold(certs, certs.resolve("crt-list.txt"), Duration.ofSeconds(5), true)) {
                assertThat(held).isNotNull();
            }
        }
    }

    @Test
    void theDirectorysLockFileIsHiddenAndOwnerOnly() throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        try (SharedFiles held = SharedFiles.hold(certs, tmp.resolve("crt-list.txt"), Duration.ofSeconds(1), false)) {
            assertThat(certs.resolve(".hapcert.lock")).as("a dry run's hold creates nothing").doesNotExist();
        }
        try (SharedFiles held = SharedFiles.hold(certs, tmp.resolve("crt-list.txt"), Duration.ofSeconds(1), true)) {
            assertThat(Files.getPosixFilePermissions(certs.resolve(".hapcert.lock")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aLockFileThatIsASymlinkIsNotFollowed() throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        Path elsewhere = tmp.resolve("elsewhere");
        Files.createSymbolicLink(certs.resolve(".hapcert.lock"), elsewhere);
        try (SharedFiles held = SharedFiles.hold(certs, tmp.resolve("crt-list.txt"), Duration.ofSeconds(1), true)) {
            assertThat(elsewhere).as("a file created where the link points").doesNotExist();
        }
    }

    @Test
    void aMissingDirectoryIsHeldInThisProcessOnlyAndNotCreated() throws Exception {
        Path missing = tmp.resolve("missing");
        try (SharedFiles held = SharedFiles.hold(missing, tmp.resolve("crt-list.txt"), Duration.ofSeconds(1), true)) {
            assertThat(held).isNotNull();
        }
        assertThat(missing).doesNotExist();
    }

    @Test
    void aThreadMayNameOneFileTwice() {
        Path dir = tmp.resolve("certs");
        try (SharedFiles held = SharedFiles.hold(List.of(dir, dir.resolve("."), tmp.resolve("certs//")))) {
            assertThat(held).isNotNull();
        }
        try (SharedFiles again = SharedFiles.hold(List.of(dir))) {
            assertThat(again).isNotNull();
        }
    }
}
