package dev.hapcert.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
 * processes are kept off by each target's {@code CertificateLock}, as before.
 */
public final class SharedFiles implements AutoCloseable {
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final List<ReentrantLock> held;

    private SharedFiles(List<ReentrantLock> held) {
        this.held = held;
    }

    /** Waits until no other thread of this process holds any of {@code paths}, then holds them all. */
    public static SharedFiles hold(Collection<Path> paths) {
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
        return new SharedFiles(held);
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
        for (int i = held.size() - 1; i >= 0; i--) {
            held.get(i).unlock();
        }
        held.clear();
    }
}
