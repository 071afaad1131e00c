package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), f.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> CertificateLock.acquire(f, Duration.ofMillis(300)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("is held by another hapcert process");
            holder.getOutputStream().close();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (CertificateLock l = CertificateLock.acquire(f, Duration.ofSeconds(5))) {
                assertThat(l.file()).isEqualTo(f.toRealPath());
            }
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMissingDirectoryIsAConfigError() {
        assertThatThrownBy(() -> CertificateLock.acquire(dir.resolve("nope/x.lock"), Duration.ofSeconds(1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(dir.resolve("nope/x.lock").toString());
    }

    /** Child process: takes the lock, says so, holds it until stdin closes. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (CertificateLock l = CertificateLock.acquire(Path.of(args[0]), Duration.ofSeconds(5))) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() != -1) {
                    // Wait for the parent to close our stdin.
                }
            }
        }
    }
}
