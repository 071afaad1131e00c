package dev.hapcert.deploy;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.VerificationException;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.Reply;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.SslCertDetails;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.store.AtomicFileWriter;
import dev.hapcert.store.CrashPoint;
import dev.hapcert.store.CrtListFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Many certificates onto one HAProxy at HAProxy's own pace: observe once ({@link BulkObservation}), plan every
 * certificate, then send the changes pipelined on the one connection in batches while the writer thread writes the
 * next batch's bundle files ({@link BulkFileWriter}), and last verify every change on a new connection.
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
     * Certificates per pipelined exchange: each exchange ends with HAProxy idle for a round trip, so fewer is better,
     * while the PEMs of a batch are held until it is sent (500 are under 1 MB).
     */
    static final int BATCH = 500;
    /** Threads writing bundle files, each a batch at a time. */
    static final int FILE_WRITERS = 4;
    /** Routing threshold: below it, the one-certificate path is as fast and loads less. */
    static final int MIN_CERTIFICATES = 2;

    private final RuntimeApiClient client;
    private final TargetConfig target;
    private final DeployOptions options;
    private final Consumer<String> notices;
    private final BiConsumer<Integer, Integer> progress;
    private final BulkFileWriter writer;
    private final int batchSize;
    private final List<String> crtListLines = new ArrayList<>();
    private final List<BulkItem> retry = new ArrayList<>();

    BulkSession(RuntimeApiClient client, TargetConfig target, DeployOptions options, Consumer<String> notices,
                BiConsumer<Integer, Integer> progress) {
        this(client, target, options, notices, progress, BATCH);
    }

    /** With another batch size, so that tests cross batch boundaries with few certificates. */
    BulkSession(RuntimeApiClient client, TargetConfig target, DeployOptions options, Consumer<String> notices,
                BiConsumer<Integer, Integer> progress, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive");
        }
        this.batchSize = batchSize;
        this.client = client;
        this.target = target;
        this.options = options;
        this.notices = notices;
        this.progress = progress;
        this.writer = new BulkFileWriter(target.files());
    }

    /** Whether a deploy of {@code count} certificates to one target takes this path. */
    static boolean suits(int count, DeployOptions options) {
        return count >= MIN_CERTIFICATES && options.verifyTls().isEmpty();
    }

    /**
     * Deploys every certificate; one result per certificate, in the given order. Certificates this path hands back
     * (see the class comment) are deployed by {@code fallback}, whose crt-list lines the caller flushes as usual.
     */
    List<CertificateResult> deploy(List<DesiredCertificate> certificates, TargetSession fallback) throws HapcertException {
        long started = System.nanoTime();
        List<String> names = certificates.stream().map(c -> TargetSession.certName(target, c)).toList();
        BulkObservation observed = BulkObservation.observe(client, target, names);
        CertificateResult[] results = new CertificateResult[certificates.size()];
        List<BulkItem> work = new ArrayList<>();
        List<Integer> again = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < certificates.size(); i++) {
            DesiredCertificate c = certificates.get(i);
            String name = names.get(i);
            if (!seen.add(name)) {
                again.add(i);  // the same name twice: the second goes after the first, one by one
                continue;
            }
            results[i] = plan(i, c, name, observed, started, work);
        }
        if (!work.isEmpty() && !options.dryRun()) {
            AtomicFileWriter.checkWritable(target.paths().toHost(target.crtList()));
            apply(work);
            verifyAll(work);
            writeCrtListFile(observed.crtListFile(), work);
        }
        for (BulkItem item : work) {
            results[item.index] = item.result;
        }
        for (BulkItem item : retry) {
            again.add(item.index);
        }
        again.sort(null);
        for (int i : again) {
            results[i] = fallback.deploy(certificates.get(i));
        }
        return List.of(results);
    }

    private CertificateResult plan(int index, DesiredCertificate c, String name, BulkObservation observed, long started,
                                   List<BulkItem> work) {
        Path bundlePath = null;
        try {
            bundlePath = target.paths().toHost(name);
            ObservedState state = observed.stateOf(c, name, bundlePath);
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
            work.add(new BulkItem(index, c, name, bundlePath, w, outcome, previous, System.nanoTime()));
            return null;
        } catch (HapcertException e) {
            return result(name, Outcome.forFailure(e.exitCode()), null, c, e.getMessage(), started);
        }
    }

    /**
     * The batches: writer threads write the bundle files of the next batches while batch i is on the wire, at most
     * {@link #FILE_WRITERS} batches ahead. Waiting for a batch's files before sending it keeps every commit behind
     * its fsynced file. If the connection fails, the batch on the wire and every later one fail with that error
     * (files written for batches never sent are put back), and the batches already answered carry on to verification.
     */
    private void apply(List<BulkItem> work) {
        List<List<BulkItem>> batches = new ArrayList<>();
        for (int from = 0; from < work.size(); from += batchSize) {
            batches.add(work.subList(from, Math.min(work.size(), from + batchSize)));
        }
        // fsync waits on the disk, not the CPU: several writers let the file system commit their files together.
        ExecutorService files = Executors.newFixedThreadPool(FILE_WRITERS, r -> {
            Thread t = new Thread(r, "hapcert-bulk-files");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> written = new ArrayList<>();
        int b = 0;
        try {
            int done = 0;
            for (; b < batches.size(); b++) {
                while (written.size() < batches.size() && written.size() <= b + FILE_WRITERS) {
                    List<BulkItem> next = batches.get(written.size());
                    written.add(files.submit(() -> {
                        writer.write(next, target.name());
                        return null;
                    }));
                }
                awaitFiles(written.get(b));
                send(batches.get(b));
                CrashPoint.reached("after-commit");
                done += batches.get(b).size();
                progress.accept(done, work.size());
            }
        } catch (HapcertException e) {
            files.shutdown();
            for (int later = b; later < written.size(); later++) {
                try {
                    written.get(later).get();
                } catch (ExecutionException | InterruptedException ignored) {
                    // Its items carry their own results; the connection failure is what the others report.
                }
            }
            for (int k = b; k < batches.size(); k++) {
                for (BulkItem item : batches.get(k)) {
                    if (item.result == null) {
                        if (k > b) {
                            undoFile(item);  // never sent: nothing in HAProxy uses it
                        }
                        item.finish(target.name(), Outcome.forFailure(e.exitCode()), e.getMessage());
                    }
                    item.pem = null;
                }
            }
        } finally {
            files.shutdownNow();
        }
    }

    private static void awaitFiles(Future<?> written) throws HapcertException {
        try {
            written.get();
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

    /** One batch on the wire, then each reply judged for its certificate. */
    private void send(List<BulkItem> batch) throws HapcertException {
        List<Command> commands = new ArrayList<>();
        List<BulkCommands> sent = new ArrayList<>();
        for (BulkItem item : batch) {
            if (item.result != null) {
                item.pem = null;
                continue;  // its file could not be written
            }
            BulkCommands c = BulkCommands.of(item, target, target.payloadLimit(), commands.size());
            if (c.error() != null) {
                undoFile(item);
                item.finish(target.name(), Outcome.forFailure(c.error().exitCode()), c.error().getMessage());
            } else {
                commands.addAll(c.commands());
                sent.add(c);
            }
            item.pem = null;
        }
        if (commands.isEmpty()) {
            return;
        }
        List<Reply> replies = client.pipeline(commands);
        List<Command> cleanup = new ArrayList<>();
        Set<String> poisoned = new HashSet<>();
        for (BulkCommands c : sent) {
            BulkCommands.Verdict v = c.judge(replies, client.description());
            BulkItem item = c.item();
            v.abortName().ifPresent(n -> poisoned.add(n));
            if (v.created() && !v.committed()) {
                cleanup.add(Command.of("del", "ssl", "cert", item.certName));
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
        List<Command> aborts = new ArrayList<>();
        poisoned.forEach(n -> aborts.add(Command.of("abort", "ssl", "cert", n)));
        aborts.addAll(cleanup);
        if (!aborts.isEmpty()) {
            // Best effort: a store left empty is harmless and refilled by the rerun; a transaction left open is
            // cleared by the next run (hapcert's own names are aborted at once).
            try {
                client.pipeline(aborts);
            } catch (HapcertException e) {
                notices.accept(target.name() + ": could not abort or remove " + aborts.size() + " refused change(s): "
                        + e.getMessage());
            }
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

    private void verify(List<BulkItem> toCheck) throws HapcertException {
        String rerun = " (was HAProxy reloaded or restarted during the sync? run the same sync again)";
        try (RuntimeApiClient now = client.reconnect()) {
            List<Command> shows = toCheck.stream().map(i -> Command.of("show", "ssl", "cert", i.certName)).toList();
            List<Reply> replies = BulkObservation.showEach(now, shows);
            for (int k = 0; k < toCheck.size(); k++) {
                BulkItem item = toCheck.get(k);
                Reply r = replies.get(k);
                String problem;
                if (r.text().startsWith("Can't display the certificate")) {
                    problem = "after the commit HAProxy does not list " + item.certName + rerun;
                } else {
                    SslCertDetails d = BulkObservation.parseDetails(now, r);
                    if (!BulkObservation.loadedFrom(d).matches(item.certificate.bundle())) {
                        problem = "HAProxy reports serial " + d.serial().orElse("(none)") + " for " + item.certName
                                + " after the commit, expected " + item.certificate.bundle().serialHex() + rerun;
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
