package dev.hapcert.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Work on several HAProxy targets side by side: each is another HAProxy, and most of a target's time is spent waiting
 * for it (its Runtime API, a container engine's exec), so a run over a fleet takes about as long as its slowest
 * target rather than the sum of them all. At most {@value #TARGETS} at a time.
 */
public final class AtOnce {
    /** The most targets worked on at once. */
    public static final int TARGETS = 8;

    private AtOnce() {
    }

    /**
     * {@code work} applied to each of {@code items}, on threads of their own when there are several, the results in
     * the order of the items. Waits for every one; then rethrows what broke one (a bug: a target's own failures are
     * its results).
     */
    public static <T, R> List<R> each(List<T> items, Function<T, R> work) {
        if (items.size() < 2) {
            List<R> results = new ArrayList<>();
            for (T item : items) {
                results.add(work.apply(item));
            }
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(items.size(), TARGETS), task -> {
            Thread t = new Thread(task, "hapcert-target");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> running = new ArrayList<>();
            for (T item : items) {
                running.add(pool.submit(() -> work.apply(item)));
            }
            List<R> results = new ArrayList<>();
            Throwable broken = null;
            for (Future<R> f : running) {
                try {
                    results.add(Uninterruptibly.get(f));
                } catch (ExecutionException e) {
                    results.add(null);
                    broken = broken == null ? e.getCause() : broken;
                }
            }
            if (broken instanceof RuntimeException e) {
                throw e;
            }
            if (broken instanceof Error e) {
                throw e;
            }
            if (broken != null) {
                throw new IllegalStateException(broken);
            }
            return results;
        } finally {
            pool.shutdown();
        }
    }
}
