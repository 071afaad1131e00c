package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import dev.hapcert.testkit.LockHolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateLockTest {
    @TempDir
    Path dir;

    @Test
    void createsTheLockFileOwnerOnly() throws Exception {
        Path f = dir.resolve("haproxy.lock");
        try (CertificateLock l = CertificateLock.acquire(f, Duration.ofSeconds(1))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
            assertThat(l.file()).isEqualTo(f.toRealPath());
        }
    }

    @Test
    void threadsTakeTurnsEvenWhenNamingTheFileDifferently() throws Exception {
        Path f = dir.resolve("haproxy.lock");
        Path other = dir.resolve("sub/../haproxy.lock");
        Files.createDirectories(dir.resolve("sub"));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Path p = i % 2 == 0 ? f : other;
                fs.add(pool.submit(() -> {
                    try (CertificateLock l = CertificateLock.acquire(p, Duration.ofSeconds(10))) {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        Thread.sleep(20);
                        inside.decrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> x : fs) {
                x.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(maxInside.get()).isEqualTo(1);
    }

    @Test
    void anotherThreadHoldingItTimesOutWithTheFileNamed() throws Exception {
        Path f = dir.resolve("haproxy.lock");
        try (CertificateLock held = CertificateLock.acquire(f, Duration.ofSeconds(1))) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<?> r = pool.submit(() -> CertificateLock.acquire(f, Duration.ofMillis(200)));
                assertThatThrownBy(() -> r.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConfigException.class)
                        .hasMessageContaining("the certificate lock " + f.toRealPath() + " is held by another thread");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void anotherProcessHoldingItTimesOutThenReleasesItWhenItEnds() throws Exception {
        Path f = dir.resolve("haproxy.lock");
        try (LockHolder holder = LockHolder.start(f)) {
            assertThatThrownBy(() -> CertificateLock.acquire(f, Duration.ofMillis(300)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("is held by another hapcert process");
            holder.release();
            try (CertificateLock l = CertificateLock.acquire(f, Duration.ofSeconds(5))) {
                assertThat(l.file()).isEqualTo(f.toRealPath());
            }
        }
    }

    @Test
    void aMissingDirectoryIsCreatedForTheOwnerOnly() throws Exception {
        Path lock = dir.resolve("run/lock/hapcert/x.lock");
        try (CertificateLock l = CertificateLock.acquire(lock, Duration.ofSeconds(1))) {
            assertThat(java.nio.file.Files.getPosixFilePermissions(lock.getParent()))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsAConfigError() throws Exception {
        Path blocker = java.nio.file.Files.writeString(dir.resolve("file"), "not a directory");
        assertThatThrownBy(() -> CertificateLock.acquire(blocker.resolve("x.lock"), Duration.ofSeconds(1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(blocker.resolve("x.lock").toString());
    }
}
