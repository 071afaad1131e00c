package dev.hapcert.haproxy;

import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes all certificate work on one HAProxy, across processes and threads. HAProxy has a single certificate
 * transaction per process, shared by every connection, so two deployers interleaving {@code set ssl cert} would mix
 * their certificates (2.6.12 even loads B's PEM into A's open transaction).
 *
 * <p>Two locks are needed because {@link FileChannel#lock()} is held per process: a second thread of the same JVM
 * asking for it gets {@link OverlappingFileLockException} rather than waiting. So a JVM-wide {@link ReentrantLock}
 * keyed by the lock file's real path is taken first, then the exclusive file lock, which the kernel releases if the
 * process dies. The lock file is created with mode 0600 and left in place (deleting it would let two processes lock
 * two different inodes).
 *
 * <pre>
 * try (CertificateLock lock = CertificateLock.acquire(lockFile, Duration.ofSeconds(60))) {
 *     ... new/set/commit ssl cert ...
 * }
 * </pre>
 */
public final class CertificateLock implements AutoCloseable {
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final long POLL_MILLIS = 50;

    private final Path file;
    private final ReentrantLock jvmLock;
    private final FileChannel channel;
    private final FileLock fileLock;
    private boolean released;

    private CertificateLock(Path file, ReentrantLock jvmLock, FileChannel channel, FileLock fileLock) {
        this.file = file;
        this.jvmLock = jvmLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /**
     * Waits up to {@code timeout} for both locks.
     *
     * @throws ConfigException naming the lock file when it cannot be created or opened, or when another holder kept
     *                         it past the timeout
     */
    public static CertificateLock acquire(Path lockFile, Duration timeout) throws ConfigException {
        Path file = canonical(lockFile);
        long deadline = System.nanoTime() + timeout.toNanos();
        ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        try {
            if (!jvm.tryLock(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                throw busy(file, timeout, "another thread of this process");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while waiting for the certificate lock " + file, e);
        }
        if (jvm.getHoldCount() > 1) {
            jvm.unlock();
            throw new IllegalStateException("this thread already holds the certificate lock " + file);
        }
        FileChannel ch = null;
        try {
            ch = open(file);
            while (true) {
                FileLock l = ch.tryLock();
                if (l != null) {
                    return new CertificateLock(file, jvm, ch, l);
                }
                if (System.nanoTime() >= deadline) {
                    throw busy(file, timeout, "another hapcert process");
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (IOException e) {
            closeQuietly(ch);
            jvm.unlock();
            throw new ConfigException("cannot lock " + file + ": " + e.getMessage()
                    + "; hapcert needs a writable directory for its lock file", e);
        } catch (InterruptedException e) {
            closeQuietly(ch);
            jvm.unlock();
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while waiting for the certificate lock " + file, e);
        } catch (ConfigException | RuntimeException e) {
            closeQuietly(ch);
            jvm.unlock();
            throw e;
        }
    }

    private static Path canonical(Path lockFile) throws ConfigException {
        Path abs = lockFile.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        try {
            // Key by the real directory so that two spellings of one file share one JVM lock.
            return parent == null ? abs : parent.toRealPath().resolve(abs.getFileName());
        } catch (IOException e) {
            throw new ConfigException("the directory of the certificate lock file " + abs + " does not exist or"
                    + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // Someone created it first; locking it is all that matters.
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: create it without permissions.
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        }
        return FileChannel.open(file, StandardOpenOption.WRITE);
    }

    private static ConfigException busy(Path file, Duration timeout, String holder) {
        return new ConfigException("the certificate lock " + file + " is held by " + holder + " for over "
                + timeout.toSeconds() + " s; wait for that deployment to finish, or find the holder with"
                + " 'fuser " + file + "'");
    }

    public Path file() {
        return file;
    }

    /** Releases both locks; idempotent. */
    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            fileLock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases the lock anyway.
        }
        closeQuietly(channel);
        jvmLock.unlock();
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Nothing to do: the descriptor is gone.
            }
        }
    }
}
