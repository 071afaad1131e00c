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
 * reads the entries in order. Its one {@link Cursor} walks the loaded certificates from the start, waiting for the
 * reader where it has caught up. Entries that did not load ({@link SourceItem.Failed}, {@link SourceItem.Skipped}) are
 * kept apart for the report.
 *
 * <p>A parsed certificate with its key takes about 7 KB of heap, so a store of 50,000 did not fit the heap the
 * launcher gives a sync while the feed held them all. The walk therefore lets each certificate go once it has handed it
 * out, keeping only its {@link Summary}, and the reader stays at most {@value #MAX_AHEAD} certificates ahead of the
 * walk. A second target gets a feed of its own ({@link #again}), which reads the sources anew.
 */
public final class CertificateFeed {
    /**
     * How far the reader may run ahead of the walk: about two seconds of HAProxy's pace in a bulk load, which the reader
     * outruns several times over, so the batches never wait for it. Every certificate held ahead outlives a few young
     * collections and dies in the old generation: 10,000 ahead (about 50 MB) made a sync of 100,000 collect the whole
     * heap 41 times (7 s of pauses, 104 s in all); 2,000 ahead, 9 times (94 s), with a sync of 10,000 as fast as before.
     */
    static final int MAX_AHEAD = 2_000;
    /** The least a feed sharing the read-ahead may read ahead ({@link #shareReadAhead}). */
    static final int MIN_SHARE = 500;

    /** What {@link #again} reads: the sources, or the certificates in hand. */
    private final List<CertificateSource> sources;
    private final List<DesiredCertificate> inHand;
    /** Guards everything below; waited on for the reader's progress and, by the reader, for the walk's. */
    private final Object lock = new Object();
    /** How far the reader may run ahead of the walk: {@link #MAX_AHEAD}, or a share of it ({@link #shareReadAhead}). */
    private int maxAhead;
    /** Loaded certificates in source order; null where the walk has let one go. */
    private final List<DesiredCertificate> loaded = new ArrayList<>();
    private final List<Summary> summaries = new ArrayList<>();
    private final List<SourceItem> notLoaded = new ArrayList<>();
    private boolean complete;
    private RuntimeException readerFailure;
    /** The walk, once it has started. */
    private Cursor walk;
    /** Someone waits for the whole read: the reader no longer waits for the walk (which may be that waiter). */
    private boolean unbounded;
    /** The most certificates someone waits to have been read ({@link #hasAtLeast}, {@link #firstNames}). */
    private int demand;

    /** What is kept of a loaded certificate after the walk: enough to name it in a report or a prune. */
    public record Summary(String name, String serialHex) {
    }

    private CertificateFeed(List<CertificateSource> sources, List<DesiredCertificate> inHand, int maxAhead) {
        this.sources = sources;
        this.inHand = inHand;
        this.maxAhead = maxAhead;
    }

    /**
     * Checks every source and starts reading their entries on a thread of its own.
     *
     * @throws HapcertException when a source as a whole is unusable (nothing has been read then)
     */
    public static CertificateFeed read(List<CertificateSource> sources) throws HapcertException {
        return read(sources, MAX_AHEAD);
    }

    private static CertificateFeed read(List<CertificateSource> sources, int maxAhead) throws HapcertException {
        List<CertificateSource.Listing> listings = new ArrayList<>();
        for (CertificateSource source : sources) {
            listings.add(source.list());
        }
        CertificateFeed feed = new CertificateFeed(List.copyOf(sources), null, maxAhead);
        Thread reader = new Thread(() -> feed.readAll(listings), "hapcert-source-reader");
        reader.setDaemon(true);
        reader.start();
        return feed;
    }

    /** A feed of certificates already in hand. */
    public static CertificateFeed of(List<DesiredCertificate> certificates) {
        CertificateFeed feed = new CertificateFeed(null, List.copyOf(certificates), MAX_AHEAD);
        // All in memory already: nothing to bound, and no reader but this thread, which must not wait for a walk.
        feed.unbounded = true;
        feed.inHand.forEach(c -> feed.add(new SourceItem.Loaded(c)));
        feed.complete = true;
        return feed;
    }

    /**
     * A new feed of the same sources, read anew (the same certificates, for a feed of certificates in hand): for the
     * next target, since this feed's walk lets its certificates go. A store may have changed since; the next target
     * then gets it as it is now, and its report and prune follow what that feed read.
     *
     * @throws HapcertException when a source as a whole is no longer usable
     */
    public CertificateFeed again() throws HapcertException {
        int ahead;
        synchronized (lock) {
            ahead = maxAhead;
        }
        return inHand != null ? of(inHand) : read(sources, ahead);
    }

    /**
     * Makes this feed, and those {@link #again} makes of it, read at most a {@code feeds}th of the usual
     * {@value #MAX_AHEAD} ahead of their walks, but no fewer than {@value #MIN_SHARE} (a few of a bulk load's batches):
     * for {@code feeds} feeds of the same sources walked at the same time (targets deployed at once), which together
     * then hold about as many certificates as one feed would.
     */
    public void shareReadAhead(int feeds) {
        if (feeds < 1) {
            throw new IllegalArgumentException("feeds must be at least 1, got " + feeds);
        }
        synchronized (lock) {
            maxAhead = Math.max(MIN_SHARE, MAX_AHEAD / feeds);
            lock.notifyAll();
        }
    }

    private void readAll(List<CertificateSource.Listing> listings) {
        RuntimeException failure = null;
        try {
            for (CertificateSource.Listing listing : listings) {
                listing.readEach(this::add);
            }
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            // Out of memory, say: without a failure, the end of this read would pass for the end of the sources.
            failure = new IllegalStateException(e.toString(), e);
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
                // Bounded from the start, not only once the walk has begun: a deploy may take a while to reach its
                // first batch (a lock to wait for, an engine to reach), and a large store must not fill the heap then.
                while (!unbounded && loaded.size() - (walk == null ? 0 : walk.next) >= Math.max(maxAhead, demand)) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        unbounded = true;  // never interrupted in practice; finishing the read is always safe
                    }
                }
                DesiredCertificate c = l.certificate();
                loaded.add(c);
                summaries.add(new Summary(c.name(), c.bundle().serialHex()));
            } else {
                notLoaded.add(item);
            }
            lock.notifyAll();
        }
    }

    /**
     * The feed's one walk, from the first certificate: each certificate is let go once handed out (the walker keeps
     * what it still needs), and the reader waits while it is {@value #MAX_AHEAD} (or its share) ahead. Once it has
     * handed out a certificate, {@link #all} is no longer available; {@link #summaries} is.
     */
    public Cursor cursor() {
        synchronized (lock) {
            if (walk != null) {
                throw new IllegalStateException("a feed is walked once; again() reads it anew");
            }
            walk = new Cursor();
            return walk;
        }
    }

    /**
     * Every loaded certificate, in source order, once reading is done.
     *
     * @throws IllegalStateException once the walk has let certificates go (a caller's bug)
     */
    public List<DesiredCertificate> all() {
        synchronized (lock) {
            awaitComplete();
            if (walk != null && walk.next > 0) {
                throw new IllegalStateException("the feed's walk has let its certificates go");
            }
            return List.copyOf(loaded);
        }
    }

    /** Name and serial of every loaded certificate, in source order, once reading is done; also after the walk. */
    public List<Summary> summaries() {
        synchronized (lock) {
            awaitComplete();
            return List.copyOf(summaries);
        }
    }

    /** The names of every loaded certificate, in source order, once reading is done. */
    public List<String> names() {
        return summaries().stream().map(Summary::name).toList();
    }

    /**
     * The names of the first {@code n} loaded certificates (all of them if there are fewer), without waiting for the
     * rest of the read: for a look ahead before the walk, which {@link #names} would cost the bound on the reader.
     */
    public List<String> firstNames(int n) {
        synchronized (lock) {
            demandAtLeast(n);
            while (!complete && summaries.size() < n) {
                waitForReader();
            }
            if (summaries.size() < n) {
                failIfBroken();
            }
            return summaries.subList(0, Math.min(n, summaries.size())).stream().map(Summary::name).toList();
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
            demandAtLeast(n);
            while (!complete && loaded.size() < n) {
                waitForReader();
            }
            if (loaded.size() < n) {
                failIfBroken();
            }
            return loaded.size() >= n;
        }
    }

    /** With the lock held: the reader must read at least {@code n} before it waits for the walk. */
    private void demandAtLeast(int n) {
        if (n > demand) {
            demand = n;
            lock.notifyAll();
        }
    }

    /** Waits, with the lock held, until reading is done; then fails if the reader broke. */
    private void awaitComplete() {
        if (!complete && !unbounded) {
            // The waiter may be the walk's own thread: the reader must not wait for it now.
            unbounded = true;
            lock.notifyAll();
        }
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
                    DesiredCertificate c = loaded.get(next);
                    loaded.set(next, null);
                    if (loaded.size() - next >= maxAhead) {
                        lock.notifyAll();  // the reader may be waiting for the walk
                    }
                    next++;
                    return c;
                }
                failIfBroken();
                return null;
            }
        }
    }
}
