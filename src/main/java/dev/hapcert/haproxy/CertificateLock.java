package dev.hapcert.haproxy;

import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes all certificate work on one HAProxy, across processes and threads. HAProxy has a single certificate
 * transaction per process, shared by every connection, so two deployers interleaving {@code set ssl cert} would mix
 * their certificates (2.6.12 even loads B's PEM into A's open transaction). The same lock, on a hidden file in the
 * directory, keeps hapcert processes working for different HAProxies off a certificate directory they share
 * ({@link #acquireShared}).
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
    /** The lock file of a shared certificate directory, in that directory. */
    public static final String SHARED_LOCK_NAME = ".hapcert.lock";
    /** A target's lock file: created if missing. */
    private static final Set<OpenOption> TARGET = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    /**
     * A shared directory's lock file: created if missing and never through a symlink, since whoever else may write in
     * that directory must not point hapcert at another file.
     */
    private static final Set<OpenOption> SHARED = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    /** A shared directory's lock file, only if it is there (a dry run adds nothing to the directory). */
    private static final Set<OpenOption> SHARED_EXISTING = Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

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
        try {
            return acquire(file, timeout, false, TARGET);
        } catch (IOException e) {
            throw new ConfigException("cannot lock " + file + ": " + e.getMessage()
                    + "; hapcert needs a writable directory for its lock file", e);
        }
    }

    /**
     * Waits up to {@code timeout} for the lock of a certificate directory that several HAProxies may share: the file
     * {@value #SHARED_LOCK_NAME} in it, which HAProxy skips when it loads the directory (a dot file), created unless
     * {@code mayCreate} is false (a dry run adds nothing to the directory). Empty when the directory does not exist,
     * the file is not there to be taken, or it cannot be created or opened: nothing another process could write
     * there either (and a deploy reports what it cannot write itself).
     *
     * @throws ConfigException when another holder kept it past the timeout
     */
    public static Optional<CertificateLock> acquireShared(Path directory, Duration timeout, boolean mayCreate)
            throws ConfigException {
        Path file;
        try {
            file = directory.toRealPath().resolve(SHARED_LOCK_NAME);
        } catch (IOException missing) {
            return Optional.empty();
        }
        try {
            return Optional.of(acquire(file, timeout, true, mayCreate ? SHARED : SHARED_EXISTING));
        } catch (IOException missingOrReadOnly) {
            return Optional.empty();
        }
    }

    /**
     * Both locks on {@code file}, a canonical path: a target's lock file, or a {@code shared} directory's; the file
     * opened with {@code options}.
     */
    private static CertificateLock acquire(Path file, Duration timeout, boolean shared, Set<OpenOption> options)
            throws ConfigException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        try {
            if (!jvm.tryLock(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                throw busy(file, shared, timeout, "another thread of this process");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while waiting for " + name(file, shared), e);
        }
        if (jvm.getHoldCount() > 1) {
            jvm.unlock();
            throw new IllegalStateException("this thread already holds the lock " + file);
        }
        FileChannel ch = null;
        try {
            ch = open(file, options);
            while (true) {
                FileLock l = ch.tryLock();
                if (l != null) {
                    return new CertificateLock(file, jvm, ch, l);
                }
                if (System.nanoTime() >= deadline) {
                    throw busy(file, shared, timeout, "another hapcert process");
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            closeQuietly(ch);
            jvm.unlock();
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while waiting for " + name(file, shared), e);
        } catch (IOException | ConfigException | RuntimeException e) {
            closeQuietly(ch);
            jvm.unlock();
            throw e;
        }
    }

    private static Path canonical(Path lockFile) throws ConfigException {
        Path abs = lockFile.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        try {
            if (parent != null && !Files.isDirectory(parent)) {
                // The default lives under /run/lock/hapcert, which a fresh boot (tmpfs) does not have yet.
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            // Key by the real directory so that two spellings of one file share one JVM lock.
            return parent == null ? abs : parent.toRealPath().resolve(abs.getFileName());
        } catch (IOException e) {
            throw new ConfigException("cannot create the directory of the certificate lock file " + abs + ": "
                    + e.getMessage() + " (set lock-file in hapcert.yml to a writable place)", e);
        }
    }

    private static FileChannel open(Path file, Set<OpenOption> options) throws IOException {
        // Created owner-only if missing (and allowed), opened as it is otherwise: one call, no exception for the
        // usual case.
        try {
            return FileChannel.open(file, options,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: create it without permissions.
            return FileChannel.open(file, options);
        }
    }

    /** How a message names the lock (built only for one: string concatenation costs a cold JVM). */
    private static String name(Path file, boolean shared) {
        return shared ? "the certificate directory " + file.getParent() + " (its lock file " + SHARED_LOCK_NAME + ")"
                : "the certificate lock " + file;
    }

    private static ConfigException busy(Path file, boolean shared, Duration timeout, String holder) {
        return new ConfigException(name(file, shared) + " is held by " + holder + " for over "
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
