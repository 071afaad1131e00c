package dev.hapcert.source;

import dev.hapcert.error.HapcertException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The certificates of whole stores, handed out while they are still being read. A sync of 10,000 certificates
 * spends more than half a second parsing and validating bundles; with a feed, the first batch goes to HAProxy after
 * the first hundred, and the rest are read while HAProxy works.
 *
 * <p>{@link #read} checks every source as a whole first ({@link CertificateSource#list()}), so a store that cannot
 * be read at all fails the run before anything is deployed, exactly as a full read did; then one reader thread
 * reads the entries in order. A {@link Cursor} walks the loaded certificates from the start, waiting for the reader
 * where it has caught up; any number of cursors may walk, one after the other or at once. Entries that did not load
 * ({@link SourceItem.Failed}, {@link SourceItem.Skipped}) are kept apart for the report.
 */
public final class CertificateFeed {
    /** Guards everything below; waited on for the reader's progress (plain monitor: nothing more to load). */
    private final Object lock = new Object();
    private final List<DesiredCertificate> loaded = new ArrayList<>();
    private final List<SourceItem> notLoaded = new ArrayList<>();
    private boolean complete;
    private RuntimeException readerFailure;

    private CertificateFeed() {
    }

    /**
     * Checks every source and starts reading their entries on a thread of its own.
     *
     * @throws HapcertException when a source as a whole is unusable (nothing has been read then)
     */
    public static CertificateFeed read(List<CertificateSource> sources) throws HapcertException {
        List<CertificateSource.Listing> listings = new ArrayList<>();
        for (CertificateSource source : sources) {
            listings.add(source.list());
        }
        CertificateFeed feed = new CertificateFeed();
        Thread reader = new Thread(() -> feed.readAll(listings), "hapcert-source-reader");
        reader.setDaemon(true);
        reader.start();
        return feed;
    }

    /** A feed of certificates already in hand. */
    public static CertificateFeed of(List<DesiredCertificate> certificates) {
        CertificateFeed feed = new CertificateFeed();
        feed.loaded.addAll(certificates);
        feed.complete = true;
        return feed;
    }

    private void readAll(List<CertificateSource.Listing> listings) {
        RuntimeException failure = null;
        try {
            for (CertificateSource.Listing listing : listings) {
                listing.readEach(this::add);
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            synchronized (lock) {
                complete = true;
                readerFailure = failure;
                lock.notifyAll();
            }
        }
    }

    private void add(SourceItem item) {
        synchronized (lock) {
            if (item instanceof SourceItem.Loaded l) {
                loaded.add(l.certificate());
            } else {
                notLoaded.add(item);
            }
            lock.notifyAll();
        }
    }

    /** A new cursor at the first certificate. */
    public Cursor cursor() {
        return new Cursor();
    }

    /** Every loaded certificate, in source order, once reading is done. */
    public List<DesiredCertificate> all() {
        synchronized (lock) {
            awaitComplete();
            return List.copyOf(loaded);
        }
    }

    /** The entries that did not load (failed or skipped), in source order, once reading is done. */
    public List<SourceItem> notLoaded() {
        synchronized (lock) {
            awaitComplete();
            return List.copyOf(notLoaded);
        }
    }

    /**
     * The names of the entries that did not load, once reading is done: a broken or skipped entry is not a deleted
     * one, so a prune must leave these names alone.
     */
    public Set<String> namesNotLoaded() {
        Set<String> names = new HashSet<>();
        for (SourceItem item : notLoaded()) {
            names.add(item.name());
        }
        return names;
    }

    /** Whether the feed holds at least {@code n} certificates, waiting until it does or reading is done. */
    public boolean hasAtLeast(int n) {
        synchronized (lock) {
            while (!complete && loaded.size() < n) {
                waitForReader();
            }
            if (loaded.size() < n) {
                failIfBroken();
            }
            return loaded.size() >= n;
        }
    }

    /** Waits, with the lock held, until reading is done; then fails if the reader broke. */
    private void awaitComplete() {
        while (!complete) {
            waitForReader();
        }
        failIfBroken();
    }

    /** One wait for the reader's progress, with the lock held; an interrupt is kept for the caller. */
    private void waitForReader() {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            // Reading goes on regardless and ends by itself; the caller's thread keeps its interrupt status.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the certificate sources", e);
        }
    }

    /**
     * With the lock held, at the end of what was read: the reader's failure, if it had one (a bug, not a bad
     * entry, which is an item), so that a broken read is never taken for the end of the sources.
     */
    private void failIfBroken() {
        if (readerFailure != null) {
            throw new IllegalStateException("reading the certificate sources failed", readerFailure);
        }
    }

    /** Walks the loaded certificates in order; not shared between threads. */
    public final class Cursor {
        private int next;

        private Cursor() {
        }

        /**
         * Whether {@link #next()} will answer at once, waiting at most {@code millis} for the reader: true when a
         * certificate is there or the sources are all read, false when the reader is still busy with the next one.
         */
        public boolean awaitNext(long millis) {
            long deadline = System.nanoTime() + millis * 1_000_000;
            synchronized (lock) {
                while (!complete && next >= loaded.size()) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        lock.wait(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return true;  // next() then reports the interrupt
                    }
                }
                return true;
            }
        }

        /** The next certificate, waiting for the reader if needed; null once every certificate has been handed out. */
        public DesiredCertificate next() {
            synchronized (lock) {
                while (!complete && next >= loaded.size()) {
                    waitForReader();
                }
                if (next < loaded.size()) {
                    return loaded.get(next++);
                }
                failIfBroken();
                return null;
            }
        }
    }
}
