package dev.hapcert.deploy;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.VerificationException;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.HaproxyProtocolException;
import dev.hapcert.haproxy.Reply;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.RuntimeApiTransport;
import dev.hapcert.haproxy.SslCertDetails;
import dev.hapcert.source.CertificateFeed;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.store.AtomicFileWriter;
import dev.hapcert.store.CrashPoint;
import dev.hapcert.store.CrtListFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Many certificates onto one HAProxy at HAProxy's own pace: observe HAProxy's listings once
 * ({@link BulkObservation}), then take the certificates in batches as the source delivers them, observe and plan
 * each batch and write its bundle files on writer threads ({@link BulkFileWriter}) while the batches before it are
 * streamed on the one connection ({@link Wire}: the next batch goes out while HAProxy still works on the last), and
 * last verify every change on a new connection (and with {@code --verify-tls} by handshakes, several at once).
 *
 * <p>Per certificate the wire carries {@code new ssl cert} (new names), {@code set ssl cert}, {@code commit ssl
 * cert}, {@code add ssl crt-list}, in that order and never interleaved with another certificate's set and commit:
 * HAProxy 2.6 has one transaction per process, and a {@code set} for B while A's is open lands in A's. Commands of
 * one connection run in order, so pipelining keeps that order. A batch's files are written and fsynced before any
 * of its commands is sent, so every commit finds its file on disk (persist first); unlike the one-certificate
 * path, the file is written before HAProxy has parsed the bundle, so a refused {@code set} or {@code commit} puts
 * the previous file back (or removes the new one), as a refused commit does there.
 *
 * <p>Each reply is matched to its command and so to its certificate: a refusal fails that certificate only. One
 * failure can spill over: a refused commit leaves its transaction open, and the next certificates' {@code set}s
 * land in it (HAProxy says so: "Transaction updated for certificate A"). Those transactions are aborted and the
 * certificates caught in them are tried again one by one through {@link TargetSession}, like anything answered
 * "locked" or written twice in one run.
 */
final class BulkSession {
    /**
     * Certificates per batch: a batch is planned, written to disk and judged as one, and goes on the wire once all
     * its files are durable. 100 certificates are about 70 ms of HAProxy's work, longer than hapcert takes to read,
     * plan and write the next 100 even in its first, cold second; with batches of 500, reached by doubling from 16,
     * HAProxy waited 0.15 s longer in all for the files of the next one (10,000 new certificates, see bench/README.md).
     */
    static final int BATCH = 100;
    /**
     * Certificates per batch over a transport that does not stream ({@link RuntimeApiClient#streams()}), where each
     * batch costs an exec in the container: about a second of HAProxy's work for one exec's 150-300 ms, where batches
     * of 100 spent more time starting execs than HAProxy spent on the certificates.
     */
    static final int BATCH_PER_EXCHANGE = 1000;
    /**
     * How long a batch waits for the source's next certificate before it goes with those it has: a slow source
     * (one that blocks, or a large store on a slow disk) still has HAProxy working on what was read.
     */
    static final long SOURCE_WAIT_MILLIS = 20;
    /** Batches planned and being written while one is on the wire. */
    static final int LOOKAHEAD = 2;
    /** Threads writing bundle files, each a part of a batch. */
    static final int FILE_WRITERS = 4;
    /** Routing threshold: below it, the one-certificate path is as fast and loads less. */
    static final int MIN_CERTIFICATES = 2;

    private final RuntimeApiClient client;
    private final TargetConfig target;
    private final DeployOptions options;
    private final Consumer<String> notices;
    private final BiConsumer<Integer, Integer> progress;
    private final TargetSession fallback;
    private final BundleForm form;
    private final BulkFileWriter writer;
    private final int batchSize;
    private final List<String> crtListLines = new ArrayList<>();
    private final List<BulkItem> retry = new ArrayList<>();

    /**
     * @param fallback deploys, one by one, the certificates this path hands back (see the class comment); its crt-list
     *     lines the caller flushes as usual. Bundles are rendered as it renders them ({@link TargetSession#form()}).
     */
    BulkSession(RuntimeApiClient client, TargetConfig target, DeployOptions options, Consumer<String> notices,
                BiConsumer<Integer, Integer> progress, TargetSession fallback) {
        this(client, target, options, notices, progress, fallback, client.streams() ? BATCH : BATCH_PER_EXCHANGE);
    }

    /** With another batch size, so that tests cross batch boundaries with few certificates. */
    BulkSession(RuntimeApiClient client, TargetConfig target, DeployOptions options, Consumer<String> notices,
                BiConsumer<Integer, Integer> progress, TargetSession fallback, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive");
        }
        this.batchSize = batchSize;
        this.client = client;
        this.target = target;
        this.options = options;
        this.notices = notices;
        this.progress = progress;
        this.fallback = fallback;
        this.form = fallback.form();
        this.writer = new BulkFileWriter(target.files(), form);
    }

    /** Whether a deploy of these certificates to one target takes this path: at least two. */
    static boolean suits(CertificateFeed certificates) {
        return certificates.hasAtLeast(MIN_CERTIFICATES);
    }

    /**
     * Deploys every certificate the cursor hands out; one result per certificate, in the cursor's order.
     *
     * <p>The cursor may still be filling (a sync reading its sources). A {@link BatchPlanner} thread takes the
     * certificates in batches as they come (a batch the source is slow to fill goes with what it has), observes
     * and plans each batch and has its files written, up to {@link #LOOKAHEAD} batches ahead; this thread only
     * streams them, so HAProxy gets the next batch before it has answered the last one.
     */
    List<CertificateResult> deploy(CertificateFeed.Cursor certificates) throws HapcertException {
        BulkObservation observed = BulkObservation.observe(client, target);
        // fsync waits on the disk, not the CPU: several writers let the file system commit their files together.
        ExecutorService files = Executors.newFixedThreadPool(FILE_WRITERS, r -> {
            Thread t = new Thread(r, "hapcert-bulk-files");
            t.setDaemon(true);
            return t;
        });
        BatchPlanner planner = new BatchPlanner(certificates, observed, files);
        planner.start();
        Wire wire = new Wire(planner);
        try {
            while (true) {
                Step step = planner.next();
                if (step instanceof End end) {
                    if (end.failure() != null) {
                        if (!wire.anySent() && planner.work.isEmpty()) {
                            throw end.failure();  // nothing written or sent yet: the target fails as a whole
                        }
                        planner.failRest(end.failure());
                    }
                    wire.finish();
                    break;
                }
                Planned batch = (Planned) step;
                try {
                    awaitFiles(batch.written());
                } catch (HapcertException e) {
                    // The batch's files are not durable, so none of its commits may go out; the batches before it
                    // are answered and judged first.
                    wire.finish();
                    fail(batch.items(), e, false);
                    planner.requestStop();
                    planner.drainAfter(e);
                    planner.failRest(e);
                    break;
                }
                if (!wire.send(batch.items())) {
                    break;
                }
            }
        } finally {
            planner.requestStop();
            planner.drainQuietly();
            planner.awaitEnd();
            files.shutdownNow();
        }
        List<BulkItem> work = planner.work;
        if (!work.isEmpty()) {
            verifyAll(work);
        }
        List<CertificateResult> results = new ArrayList<>(planner.results);
        verifyServedAll(work, planner.unchanged, results);
        if (!work.isEmpty()) {
            writeCrtListFile(observed.crtListFile(), work);
        }
        for (BulkItem item : work) {
            results.set(item.index, item.result);
        }
        Map<Integer, DesiredCertificate> again = new TreeMap<>(planner.again);
        Map<Integer, BulkItem> retried = new HashMap<>();
        for (BulkItem item : retry) {
            again.put(item.index, item.certificate);
            retried.put(item.index, item);
        }
        again.forEach((i, certificate) -> {
            CertificateResult alone = fallback.deploy(certificate);
            BulkItem item = retried.get(i);
            results.set(i, item == null ? alone : asPlanned(item, alone));
        });
        return List.copyOf(results);
    }

    /**
     * The result of a certificate retried alone, told as this run's change: the batch may have done part of it
     * before HAProxy's lock stopped it (a new certificate committed, its crt-list entry not yet added), which the
     * retry then sees as an update, or as nothing left to do.
     */
    private static CertificateResult asPlanned(BulkItem item, CertificateResult alone) {
        if (alone.outcome() != Outcome.UPDATED && alone.outcome() != Outcome.UNCHANGED) {
            return alone;
        }
        return new CertificateResult(alone.target(), alone.certificate(), item.outcome, item.previousSerial,
                alone.serial(), "retried alone after HAProxy's certificate lock: " + alone.detail(),
                (System.nanoTime() - item.started) / 1_000_000);
    }

    /** What the planner hands the sender: a planned batch, or the end. */
    private sealed interface Step permits Planned, End {
    }

    /** Certificates of one batch planned, their files being written. */
    private record Planned(List<BulkItem> items, List<Future<?>> written) implements Step {
    }

    /** No more batches; {@code failure} when planning stopped on an error, null at the source's end. */
    private record End(HapcertException failure) implements Step {
    }

    /**
     * Takes, observes and plans the batches on its own thread and queues them for the sender. Its lists are read
     * by the sender only after {@link #awaitEnd()}; the items of a queued batch belong to the sender. Looking at
     * certificates HAProxy already has ({@code show ssl cert <name>}) uses a second connection of its own, opened
     * only when needed, so that it never waits for the sender's.
     */
    private final class BatchPlanner extends Thread {
        private final CertificateFeed.Cursor certificates;
        private final BulkObservation observed;
        private final ExecutorService files;
        private final BlockingQueue<Step> queue = new ArrayBlockingQueue<>(LOOKAHEAD);
        private final long started = System.nanoTime();
        private final AtomicInteger plannedCount = new AtomicInteger();
        private final Set<String> seen = new HashSet<>();
        private volatile boolean stopped;
        /** Sender side: the End has been taken from the queue. */
        private boolean ended;
        private RuntimeApiClient lookClient;
        /** One per certificate taken from the source, in its order; null where a {@link BulkItem} has the result. */
        final List<CertificateResult> results = new ArrayList<>();
        final List<BulkItem> work = new ArrayList<>();
        /** A name the source delivers twice: the second goes after the first, alone, so it is kept till then. */
        final Map<Integer, DesiredCertificate> again = new HashMap<>();
        /** With {@code --verify-tls}: what the certificates found already deployed must present, by result index. */
        final Map<Integer, TlsVerification.Expected> unchanged = new TreeMap<>();

        BatchPlanner(CertificateFeed.Cursor certificates, BulkObservation observed, ExecutorService files) {
            super("hapcert-bulk-planner");
            setDaemon(true);
            this.certificates = certificates;
            this.observed = observed;
            this.files = files;
        }

        @Override
        public void run() {
            HapcertException failure = null;
            try {
                List<DesiredCertificate> next;
                while (!stopped && (next = take(batchSize)) != null) {
                    List<BulkItem> items = plan(next);
                    if (!items.isEmpty()) {
                        if (work.isEmpty()) {
                            AtomicFileWriter.checkWritable(target.paths().toHost(target.crtList()));
                        }
                        work.addAll(items);
                        plannedCount.addAndGet(items.size());
                        put(new Planned(items, writeFiles(files, items)));
                    }
                }
            } catch (HapcertException e) {
                failure = e;
            } catch (RuntimeException | Error e) {
                // An Error too (out of memory): an End without a failure would pass for the end of the source, and
                // the certificates never taken would go unreported.
                failure = new HaproxyRefusedException("planning the sync failed: " + e, e);
            } finally {
                if (lookClient != null) {
                    lookClient.close();
                }
                put(new End(failure));
            }
        }

        /** Up to {@code size} certificates: waits for the first, then for the others only while they keep coming. */
        private List<DesiredCertificate> take(int size) {
            List<DesiredCertificate> batch = new ArrayList<>();
            DesiredCertificate c = certificates.next();
            while (c != null) {
                batch.add(c);
                if (batch.size() == size || !certificates.awaitNext(SOURCE_WAIT_MILLIS)) {
                    break;
                }
                c = certificates.next();
            }
            return batch.isEmpty() ? null : batch;
        }

        /** Observes and plans one batch; the certificates that need work come back, every other one has its result. */
        private List<BulkItem> plan(List<DesiredCertificate> batch) throws HapcertException {
            List<String> names = batch.stream().map(c -> TargetSession.certName(target, c)).toList();
            if (lookClient == null && names.stream().anyMatch(observed::isLoaded)) {
                lookClient = client.reconnect();
            }
            observed.lookAt(lookClient, names);
            List<BulkItem> items = new ArrayList<>();
            for (int k = 0; k < batch.size(); k++) {
                int index = results.size();
                results.add(null);
                if (!seen.add(names.get(k))) {
                    again.put(index, batch.get(k));
                    continue;
                }
                CertificateResult r = BulkSession.this.plan(index, batch.get(k), names.get(k), observed, started, items);
                results.set(index, r);
                if (r != null && r.outcome() == Outcome.UNCHANGED && options.verifyTls().isPresent()) {
                    // Nothing to change is not proof of being served: a rerun after a failed check must fail again.
                    unchanged.put(index, TlsVerification.Expected.of(batch.get(k).bundle()));
                }
            }
            return items;
        }

        private void put(Step step) {
            boolean interrupted = false;
            while (true) {
                try {
                    queue.put(step);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** The next step for the sender, waiting for the planner. */
        Step next() {
            try {
                Step step = queue.take();
                ended |= step instanceof End;
                return step;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                requestStop();
                return new End(new HaproxyRefusedException("interrupted during the sync", e));
            }
        }

        int planned() {
            return plannedCount.get();
        }

        void requestStop() {
            stopped = true;
        }

        /** Takes the batches planned after a failure: never sent, so their files are put back. */
        void drainAfter(HapcertException e) {
            while (!ended) {
                Step step = next();
                if (step instanceof Planned later) {
                    try {
                        awaitFiles(later.written());
                    } catch (HapcertException ignored) {
                        // Its items carry their own results; the connection failure is what the others report.
                    }
                    fail(later.items(), e, true);
                }
            }
        }

        /** Empties the queue so that a stopped planner can put its End and finish (after an unexpected error). */
        void drainQuietly() {
            while (!ended && (isAlive() || !queue.isEmpty())) {
                try {
                    // Timed: the planner may be waiting for the source, not for room in the queue.
                    Step step = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    ended |= step instanceof End;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /** Everything the planner never took fails with {@code e}; after the planner has ended. */
        void failRest(HapcertException e) {
            awaitEnd();
            DesiredCertificate c;
            while ((c = certificates.next()) != null) {
                results.add(new CertificateResult(target.name(), TargetSession.certName(target, c),
                        Outcome.forFailure(e.exitCode()), null, c.bundle().serialHex(), e.getMessage(), 0));
            }
        }

        /** Waits for the thread to end: it ends once stopped, at the source's end, or on a failure. */
        void awaitEnd() {
            Uninterruptibly.join(this);
        }
    }

    /** Fails the batch's unfinished certificates with {@code e}; with {@code putBack}, their files are put back. */
    private void fail(List<BulkItem> items, HapcertException e, boolean putBack) {
        for (BulkItem item : items) {
            if (item.result == null) {
                if (putBack) {
                    undoFile(item);  // never sent: nothing in HAProxy uses it
                }
                item.finish(target.name(), Outcome.forFailure(e.exitCode()), e.getMessage());
            }
            item.pem = null;
        }
    }

    private CertificateResult plan(int index, DesiredCertificate c, String name, BulkObservation observed, long started,
                                   List<BulkItem> work) {
        Path bundlePath = null;
        try {
            bundlePath = target.paths().toHost(name);
            // A file already there is compared with the bundle: both are kept for the write (and its undo).
            AtomicFileWriter.Current onDisk = AtomicFileWriter.current(bundlePath);
            byte[] pem = onDisk.content() == null ? null : form.pem(c.bundle());
            ObservedState state = observed.stateOf(name, onDisk, pem);
            String previous = state.loaded().flatMap(ObservedState.Loaded::serial).orElse(null);
            PlanStep step = Planner.plan(c, name, state, options.force());
            PlanStep.Work w;
            Outcome outcome;
            if (step instanceof PlanStep.Add add) {
                w = add.work();
                outcome = Outcome.ADDED;
            } else if (step instanceof PlanStep.Update update) {
                w = update.work();
                outcome = Outcome.UPDATED;
            } else if (step instanceof PlanStep.Refused refused) {
                return result(name, Outcome.REFUSED_OLDER, previous, c, refused.reason(), started);
            } else {
                return result(name, Outcome.UNCHANGED, previous, c, "already deployed", started);
            }
            if (options.dryRun()) {
                return result(name, Outcome.PLANNED, previous, c, "would " + w.describe(), started);
            }
            BulkItem item = new BulkItem(index, c, name, bundlePath, w, outcome, previous, System.nanoTime(),
                    options.verifyTls().isPresent());
            item.pem = pem;
            item.previousFile = w.loadInRuntime() ? onDisk.content() : null;
            work.add(item);
            return null;
        } catch (HapcertException e) {
            return result(name, Outcome.forFailure(e.exitCode()), null, c, e.getMessage(), started);
        }
    }

    /** The batch's files, split among the writer threads; each part fsyncs its files and then their directories. */
    private List<Future<?>> writeFiles(ExecutorService files, List<BulkItem> items) {
        List<Future<?>> written = new ArrayList<>();
        if (options.dryRun()) {
            return written;
        }
        int part = (items.size() + FILE_WRITERS - 1) / FILE_WRITERS;
        for (int from = 0; from < items.size(); from += part) {
            List<BulkItem> slice = items.subList(from, Math.min(items.size(), from + part));
            written.add(files.submit(() -> {
                writer.write(slice, target.name());
                return null;
            }));
        }
        return written;
    }

    private static void awaitFiles(List<Future<?>> written) throws HapcertException {
        try {
            for (Future<?> part : written) {
                part.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HapcertException h) {
                throw h;
            }
            throw new IllegalStateException("writing bundle files failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaproxyRefusedException("interrupted while writing bundle files", e);
        }
    }

    /**
     * The sender's one pipelined stream: each batch is written as soon as its files are durable, while HAProxy still
     * works on the one before, so that HAProxy is never left waiting between batches; replies are matched to their
     * certificates and each batch is judged once all its replies are in. At most two batches await replies: when a
     * third is due, the oldest is answered first. So a batch whose commands were never written when the connection
     * failed is known, and its files are put back.
     *
     * <p>Aborts and removals that a judged batch calls for go out before the next batch. Until then more certificates
     * may land in a transaction left open by a refused commit; they are retried alone, like those of its own batch.
     */
    private final class Wire {
        private final BatchPlanner planner;
        private final RuntimeApiTransport.Pipeline pipeline;
        /** Written, not yet judged, oldest first: batches and clean-ups, in the order of their commands. */
        private final ArrayDeque<Sent> awaiting = new ArrayDeque<>();
        private final List<Command> cleanup = new ArrayList<>();
        private long written;
        private int judged;

        Wire(BatchPlanner planner) {
            this.planner = planner;
            this.pipeline = client.openPipeline(this::onReply);
        }

        /** Commands written in one go, and what becomes of their replies. */
        private final class Sent {
            final List<BulkCommands> certificates;
            final List<BulkItem> items;
            final List<Reply> replies;
            final int expected;
            /** How many commands had been written once this one's were. */
            final long writtenAfter;

            Sent(List<BulkItem> items, List<BulkCommands> certificates, int expected, long writtenAfter) {
                this.items = items;
                this.certificates = certificates;
                this.expected = expected;
                this.replies = new ArrayList<>(expected);
                this.writtenAfter = writtenAfter;
            }
        }

        boolean anySent() {
            return written > 0;
        }

        /**
         * Writes the batch behind the one on the wire. False when the connection failed: then every batch written
         * and not judged has failed with it (HAProxy may have taken part of them, so their files stay), and the
         * batches planned after them never go out (their files are put back).
         */
        boolean send(List<BulkItem> batch) {
            List<Command> commands = new ArrayList<>();
            List<BulkCommands> certificates = new ArrayList<>();
            for (BulkItem item : batch) {
                if (item.result != null) {
                    item.pem = null;
                    continue;  // its file could not be written
                }
                BulkCommands c = BulkCommands.of(item, target, form, commands.size());
                if (c.error() != null) {
                    undoFile(item);
                    item.finish(target.name(), Outcome.forFailure(c.error().exitCode()), c.error().getMessage());
                } else {
                    commands.addAll(c.commands());
                    certificates.add(c);
                }
                item.pem = null;
            }
            boolean onTheWire = false;
            try {
                // The batch before the last is answered first (see the class comment).
                Sent before = null;
                Sent last = null;
                for (Sent s : awaiting) {
                    if (s.certificates != null) {
                        before = last;
                        last = s;
                    }
                }
                if (before != null) {
                    pipeline.awaitUnanswered((int) (written - before.writtenAfter));
                }
                sendCleanup();
                if (commands.isEmpty()) {
                    completed(batch);
                    return true;
                }
                written += commands.size();
                awaiting.addLast(new Sent(batch, certificates, commands.size(), written));
                onTheWire = true;
                pipeline.send(commands);
                return true;
            } catch (HapcertException e) {
                failAwaiting(e);
                if (!onTheWire) {
                    fail(batch, e, true);
                }
                planner.requestStop();
                planner.drainAfter(e);
                planner.failRest(e);
                return false;
            }
        }

        /** Every reply in and judged, clean-ups included; on a connection failure what awaits fails with it. */
        void finish() {
            try {
                pipeline.finish();
                while (!cleanup.isEmpty()) {
                    sendCleanup();
                    pipeline.finish();
                }
            } catch (HapcertException e) {
                failAwaiting(e);
            }
        }

        private void sendCleanup() throws HapcertException {
            if (cleanup.isEmpty()) {
                return;
            }
            // Best effort: a store left empty is harmless and refilled by the rerun; a transaction left open is
            // cleared by the next run (hapcert's own names are aborted at once).
            List<Command> commands = List.copyOf(cleanup);
            cleanup.clear();
            written += commands.size();
            awaiting.addLast(new Sent(List.of(), null, commands.size(), written));
            pipeline.send(commands);
        }

        private void onReply(Reply reply) {
            Sent head = awaiting.getFirst();
            head.replies.add(reply);
            if (head.replies.size() == head.expected) {
                awaiting.removeFirst();
                if (head.certificates != null) {
                    judge(head);
                }
            }
        }

        private void judge(Sent sent) {
            List<Command> aborts = new ArrayList<>();
            List<Command> removals = new ArrayList<>();
            Set<String> poisoned = new HashSet<>();
            for (BulkCommands c : sent.certificates) {
                BulkCommands.Verdict v = c.judge(sent.replies, client.description());
                BulkItem item = c.item();
                v.abortName().filter(poisoned::add).ifPresent(n -> aborts.add(Command.of("abort", "ssl", "cert", n)));
                if (v.created() && !v.committed()) {
                    removals.add(Command.of("del", "ssl", "cert", item.certName));
                }
                if (v.retry()) {
                    if (!v.committed()) {
                        undoFile(item);
                    }
                    retry.add(item);
                } else if (v.failure() != null) {
                    if (!v.committed()) {
                        undoFile(item);
                    }
                    item.finish(target.name(), Outcome.forFailure(v.failure().exitCode()), v.failure().getMessage());
                } else if (item.work.writeCrtListFile()) {
                    crtListLines.add(c.crtListLine());
                }
            }
            cleanup.addAll(aborts);
            cleanup.addAll(removals);
            completed(sent.items);
        }

        private void completed(List<BulkItem> batch) {
            for (BulkItem item : batch) {
                if (!retry.contains(item)) {
                    item.release();
                }
            }
            CrashPoint.reached("after-commit");
            judged += batch.size();
            progress.accept(judged, planner.planned());
        }

        /** The connection failed: whatever was written and not judged fails with it; its files stay. */
        private void failAwaiting(HapcertException e) {
            for (Sent s : awaiting) {
                if (s.certificates != null) {
                    fail(s.items, e, false);
                } else {
                    notices.accept(target.name() + ": could not abort or remove " + s.expected + " refused change(s): "
                            + e.getMessage());
                }
            }
            if (!cleanup.isEmpty()) {
                notices.accept(target.name() + ": could not abort or remove " + cleanup.size() + " refused change(s): "
                        + e.getMessage());
            }
            awaiting.clear();
            cleanup.clear();
        }
    }

    private void undoFile(BulkItem item) {
        String problem = writer.undo(item);
        if (problem != null) {
            notices.accept(target.name() + ": " + problem);
        }
    }

    /**
     * Every committed certificate checked on a NEW connection (one opened before a reload stays with the old
     * worker), pipelined: the fingerprint (or serial) HAProxy reports, and that a crt-list uses it.
     */
    private void verifyAll(List<BulkItem> work) {
        List<BulkItem> toCheck = work.stream().filter(i -> i.result == null && !retry.contains(i)).toList();
        if (toCheck.isEmpty()) {
            return;
        }
        try {
            verify(toCheck);
        } catch (HapcertException e) {
            for (BulkItem item : toCheck) {
                if (item.result == null) {
                    item.finish(target.name(), Outcome.forFailure(e.exitCode()), "applied, but not verified: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Each reply is judged as it arrives, while HAProxy composes the next ones. The rare reply that must be asked
     * again (HAProxy's lock held by another client) waits until the stream is over: the connection serves one
     * exchange at a time.
     */
    private void verify(List<BulkItem> toCheck) throws HapcertException {
        try (RuntimeApiClient now = client.reconnect()) {
            ArrayDeque<BulkItem> due = new ArrayDeque<>(toCheck);
            List<BulkItem> askAgain = new ArrayList<>();
            List<Reply> askAgainReplies = new ArrayList<>();
            List<Command> shows = toCheck.stream().map(i -> Command.of("show", "ssl", "cert", i.certName)).toList();
            BulkObservation.showEach(now, shows, r -> {
                BulkItem item = due.removeFirst();
                if (BulkObservation.mustAskAgain(r)) {
                    askAgain.add(item);
                    askAgainReplies.add(r);
                } else {
                    judgeVerification(item, r, null);
                }
            });
            for (int k = 0; k < askAgain.size(); k++) {
                judgeVerification(askAgain.get(k), askAgainReplies.get(k), now);
            }
        }
    }

    /** One certificate's {@code show ssl cert} against what was committed; {@code again} asks once more if needed. */
    private void judgeVerification(BulkItem item, Reply r, RuntimeApiClient again) {
        String rerun = " (was HAProxy reloaded or restarted during the sync? run the same sync again)";
        String problem;
        if (r.text().startsWith("Can't display the certificate")) {
            problem = "after the commit HAProxy does not list " + item.certName + rerun;
        } else {
            SslCertDetails d;
            try {
                d = again == null ? SslCertDetails.parse(r.text()) : BulkObservation.parseDetails(again, r);
            } catch (HapcertException e) {
                item.finish(target.name(), Outcome.forFailure(e.exitCode()), "applied, but not verified: " + e.getMessage());
                return;
            } catch (HaproxyProtocolException e) {
                item.finish(target.name(), Outcome.VERIFY_FAILED, "applied, but not verified: " + e.getMessage());
                return;
            }
            if (!BulkObservation.loadedFrom(d).matches(item.serialHex, item.sha1Fingerprint)) {
                problem = "HAProxy reports serial " + d.serial().orElse("(none)") + " for " + item.certName
                        + " after the commit, expected " + item.serialHex + rerun;
            } else if (d.status() != SslCertDetails.Status.USED) {
                problem = "HAProxy loaded " + item.certName + " but no crt-list uses it (status " + d.status()
                        + "); check that " + target.crtList() + " is the crt-list of a bind line" + rerun;
            } else {
                problem = null;
            }
        }
        if (problem == null) {
            item.finish(target.name(), item.outcome, item.work.describe() + "; verified");
        } else {
            VerificationException e = new VerificationException(problem);
            item.finish(target.name(), Outcome.forFailure(e.exitCode()), e.getMessage());
        }
    }

    /**
     * With {@code --verify-tls}, after HAProxy's own listing has confirmed them: a handshake per name of every
     * certificate changed and verified, and of every one found already deployed, several at once. A certificate
     * whose names do not present it fails, as on the one-certificate path.
     */
    private void verifyServedAll(List<BulkItem> work, Map<Integer, TlsVerification.Expected> unchanged,
                                 List<CertificateResult> results) {
        if (options.verifyTls().isEmpty() || options.dryRun()) {
            return;
        }
        // Those retried alone have no result here: the one-certificate path checks them itself.
        List<BulkItem> changed = work.stream().filter(i -> i.result != null && i.result.outcome().success()).toList();
        List<TlsVerification.Expected> expected = new ArrayList<>();
        changed.forEach(i -> expected.add(new TlsVerification.Expected(i.tlsNames, i.serialHex, i.sha1Fingerprint)));
        expected.addAll(unchanged.values());
        List<Optional<VerificationException>> outcomes = TlsVerification.checkAll(options.verifyTls().get(), expected);
        for (int k = 0; k < changed.size(); k++) {
            BulkItem item = changed.get(k);
            outcomes.get(k).ifPresentOrElse(
                    e -> item.finish(target.name(), Outcome.forFailure(e.exitCode()), e.getMessage()),
                    () -> item.finish(target.name(), item.outcome, item.work.describe() + "; verified by TLS"));
        }
        int k = changed.size();
        for (int index : unchanged.keySet()) {
            CertificateResult r = results.get(index);
            Optional<VerificationException> failure = outcomes.get(k++);
            results.set(index, failure.isPresent()
                    ? new CertificateResult(r.target(), r.certificate(), Outcome.forFailure(failure.get().exitCode()),
                            r.previousSerial(), r.serial(), failure.get().getMessage(), r.millis())
                    : new CertificateResult(r.target(), r.certificate(), r.outcome(), r.previousSerial(), r.serial(),
                            "already deployed; verified by TLS", r.millis()));
        }
    }

    /**
     * The crt-list file once, with a line for every certificate HAProxy committed and listed: written last, so the
     * file never names a certificate HAProxy has not accepted; a crash before it leaves lines a rerun adds.
     */
    private void writeCrtListFile(CrtListFile observed, List<BulkItem> work) {
        CrashPoint.reached("before-crt-list-update");
        if (crtListLines.isEmpty()) {
            return;
        }
        try {
            Path path = target.paths().toHost(target.crtList());
            CrtListFile next = observed.withEntries(crtListLines);
            AtomicFileWriter.write(path, next.render().getBytes(StandardCharsets.UTF_8), target.files());
        } catch (HapcertException e) {
            Set<String> pending = new HashSet<>(crtListLines.stream().map(l -> l.split(" ", 2)[0]).toList());
            for (BulkItem item : work) {
                CertificateResult r = item.result;
                if (r != null && r.outcome().success() && pending.contains(item.certName)) {
                    item.finish(target.name(), Outcome.forFailure(e.exitCode()), "served, but the crt-list file was not"
                            + " updated, so a restart would drop it: " + e.getMessage());
                }
            }
        }
    }

    private CertificateResult result(String name, Outcome outcome, String previous, DesiredCertificate c, String detail,
                                     long started) {
        return new CertificateResult(target.name(), name, outcome, previous, c.bundle().serialHex(), detail,
                (System.nanoTime() - started) / 1_000_000);
    }

}
