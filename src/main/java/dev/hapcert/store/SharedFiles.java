package dev.hapcert.store;

import dev.hapcert.error.ConfigException;
import dev.hapcert.haproxy.CertificateLock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps the threads of this process off each other's certificate directory and crt-list file. Targets deployed at
 * once may share them (two HAProxy containers mounting one host directory, two instances listing one crt-list), and
 * each target's run reads, plans and writes them as if they were its own: it must find them as the last target left
 * them, never half-way through another's change. A target holds its files from the moment their host paths are
 * known until its run is done; one that shares a file with another then simply runs after it.
 *
 * <p>The locks are per host path, taken in one order (sorted), so two targets can never wait on each other. Other
 * hapcert processes, which may deploy to another HAProxy on the same files (a hook for one instance while a sync runs
 * for the other), are kept off by the certificate directory's own lock file
 * ({@link CertificateLock#acquireShared}), taken once this process's locks are held: without it one process would
 * take the other's temp file in the directory for a crashed run's and remove it, or rewrite the crt-list file from a
 * copy read before the other's line was added. Two spellings of one directory in two processes are one lock file.
 */
public final class SharedFiles implements AutoCloseable {
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final List<ReentrantLock> held;
    private final Optional<CertificateLock> acrossProcesses;

    private SharedFiles(List<ReentrantLock> held, Optional<CertificateLock> acrossProcesses) {
        this.held = held;
        this.acrossProcesses = acrossProcesses;
    }

    /**
     * Waits until no other thread of this process holds {@code certDir} or {@code crtList}, then, up to
     * {@code timeout}, until no other hapcert process holds {@code certDir}; then holds them. The directory's lock file
     * is created unless {@code mayCreate} is false (a dry run, which adds nothing to the directory).
     *
     * @throws ConfigException when another process held the directory past the timeout (nothing is held then)
     */
    public static SharedFiles hold(Path certDir, Path crtList, Duration timeout, boolean mayCreate)
            throws ConfigException {
        SharedFiles inProcess = hold(List.of(certDir, crtList));
        try {
            return new SharedFiles(inProcess.held, CertificateLock.acquireShared(certDir, timeout, mayCreate));
        } catch (ConfigException | RuntimeException e) {
            inProcess.close();
            throw e;
        }
    }

    /** Waits until no other thread of this process holds any of {@code paths}, then holds them all. */
    static SharedFiles hold(Collection<Path> paths) {
        TreeSet<Path> keys = new TreeSet<>();
        for (Path p : paths) {
            keys.add(key(p));
        }
        List<ReentrantLock> held = new ArrayList<>(keys.size());
        for (Path k : keys) {
            ReentrantLock lock = LOCKS.computeIfAbsent(k, x -> new ReentrantLock());
            lock.lock();
            held.add(lock);
        }
        return new SharedFiles(held, Optional.empty());
    }

    /**
     * The real path, so that two spellings of one file (a symlinked directory, {@code /a//b}) are one lock; for a file
     * that does not exist yet (a first crt-list), its directory's real path and its name.
     */
    private static Path key(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException missing) {
            Path parent = abs.getParent();
            if (parent != null) {
                try {
                    return parent.toRealPath().resolve(abs.getFileName());
                } catch (IOException alsoMissing) {
                    // Neither exists yet: the spelling is all there is to go by.
                }
            }
            return abs;
        }
    }

    @Override
    public void close() {
        if (acrossProcesses.isPresent()) {
            acrossProcesses.get().close();
        }
        for (int i = held.size() - 1; i >= 0; i--) {
            held.get(i).unlock();
        }
        held.clear();
    }
}
