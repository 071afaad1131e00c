package dev.hapcert.deploy;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.haproxy.CertificateLock;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.source.CertificateFeed;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.store.AtomicFileWriter;
import dev.hapcert.store.CrashPoint;
import dev.hapcert.store.OwnershipFile;
import dev.hapcert.store.SharedFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Drives the pipeline for a set of certificates and targets: for each target, under that HAProxy's certificate
 * lock, observe, plan, apply and verify each certificate, and collect one result per certificate and target.
 * A failure on one certificate or target is reported and the rest carry on.
 */
public final class Deployer {
    private final DeployOptions options;
    private final Consumer<String> notices;
    private final BiConsumer<Integer, Integer> progress;
    /** The hook's target, locked, opened and observed while its bundle was validated; null on every other path. */
    private final PreparedTarget prepared;

    /**
     * @param notices receives progress and warnings for people (stderr); never the report itself
     */
    public Deployer(DeployOptions options, Consumer<String> notices) {
        this(options, notices, (done, total) -> { });
    }

    /**
     * @param progress called after each certificate of a target with (done, total), for a progress bar
     */
    public Deployer(DeployOptions options, Consumer<String> notices, BiConsumer<Integer, Integer> progress) {
        this.options = options;
        this.notices = notices;
        this.progress = progress;
        this.prepared = null;
    }

    /** Deploys onto {@code prepared}'s target with its lock, connection and observations; see {@link PreparedDeploy}. */
    Deployer(DeployOptions options, Consumer<String> notices, PreparedTarget prepared) {
        this.options = options;
        this.notices = notices;
        this.progress = (done, total) -> { };
        this.prepared = prepared;
    }

    public DeployReport deploy(List<DesiredCertificate> certificates, List<TargetConfig> targets) {
        return run(CertificateFeed.of(certificates), targets, Optional.empty());
    }

    /** Deploys the certificates of a feed, starting while its sources are still being read. */
    public DeployReport deploy(CertificateFeed certificates, List<TargetConfig> targets) {
        return run(certificates, targets, Optional.empty());
    }

    /**
     * Like {@link #deploy}, then removes from each target the certificates hapcert deployed earlier (its ownership
     * registry) that are neither among {@code certificates} nor named in {@code keep} (entries of the source that
     * failed to load this time: a broken lineage is not a deleted one).
     */
    public DeployReport sync(List<DesiredCertificate> certificates, Set<String> keep, List<TargetConfig> targets) {
        return run(CertificateFeed.of(certificates), targets, Optional.of(feed -> keep));
    }

    /** Like {@link #sync(List, Set, List)}, keeping the names of the feed's entries that did not load. */
    public DeployReport sync(CertificateFeed certificates, List<TargetConfig> targets) {
        return run(certificates, targets, Optional.of(CertificateFeed::namesNotLoaded));
    }

    /**
     * Targets are deployed at once ({@link AtOnce}): a lane of targets each, one lane per lock file, since targets
     * that share a lock file are one HAProxy's lock and go one after the other, as do targets whose certificate
     * directory or crt-list file turns out to be the same ({@link SharedFiles}).
     *
     * <p>Each target gets a feed of its own: the first one {@code first}, every other one the sources read anew
     * ({@link CertificateFeed#again}), since a feed lets its certificates go as they are deployed so that a store of
     * any size fits the heap; feeds read at the same time share the read-ahead one would have. {@code prune} names,
     * per feed, what a prune must keep besides the feed's certificates.
     */
    private DeployReport run(CertificateFeed first, List<TargetConfig> targets,
                             Optional<Function<CertificateFeed, Set<String>>> prune) {
        List<List<Integer>> lanes = lanesByLock(targets);
        List<List<CertificateResult>> byTarget = new ArrayList<>(Collections.nCopies(targets.size(), List.of()));
        CombinedProgress combined = new CombinedProgress(targets.size(), progress);
        if (lanes.size() == 1) {
            // The hook's case, on this thread: a prepared target's lock belongs to it.
            runLane(first, true, lanes.get(0), targets, prune, combined, byTarget);
        } else {
            first.shareReadAhead(Math.min(lanes.size(), AtOnce.TARGETS));
            AtOnce.each(lanes, lane -> {
                runLane(first, lane == lanes.get(0), lane, targets, prune, combined, byTarget);
                return lane;
            });
        }
        List<CertificateResult> results = new ArrayList<>();
        for (List<CertificateResult> r : byTarget) {
            results.addAll(r);
        }
        return new DeployReport(results);
    }

    /**
     * The targets of one lane, one after the other: the first with {@code first} itself when {@code ownsFirst}, every
     * other one with the sources read anew. Results go to {@code byTarget} at each target's index.
     */
    private void runLane(CertificateFeed first, boolean ownsFirst, List<Integer> lane, List<TargetConfig> targets,
                         Optional<Function<CertificateFeed, Set<String>>> prune, CombinedProgress combined,
                         List<List<CertificateResult>> byTarget) {
        CertificateFeed last = null;
        for (int i : lane) {
            CertificateFeed certificates;
            if (last == null && ownsFirst) {
                certificates = first;
            } else {
                CertificateFeed previous = last != null ? last : first;
                try {
                    certificates = previous.again();
                } catch (HapcertException e) {
                    // The store went away since it was first read: this target fails with the names of the last read.
                    synchronized (byTarget) {
                        byTarget.set(i, failAll(previous.summaries(), targets.get(i), e, System.nanoTime()));
                    }
                    continue;
                }
            }
            last = certificates;
            List<CertificateResult> results = deployToTarget(certificates, targets.get(i), prune, combined.of(i));
            synchronized (byTarget) {
                byTarget.set(i, results);
            }
            CrashPoint.reached("after-target");
        }
    }

    /**
     * The targets grouped by lock file, each group in configuration order: targets that share a lock file are one
     * HAProxy's (or were configured to be taken one at a time) and must not wait on each other's lock.
     */
    private static List<List<Integer>> lanesByLock(List<TargetConfig> targets) {
        Map<Path, List<Integer>> lanes = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            Path lock = targets.get(i).lockFile().toAbsolutePath().normalize();
            List<Integer> lane = lanes.get(lock);
            if (lane == null) {
                lane = new ArrayList<>();
                lanes.put(lock, lane);
            }
            lane.add(i);
        }
        return lanes.isEmpty() ? List.of(List.of()) : List.copyOf(lanes.values());
    }

    /** One progress for all targets: the certificates done and planned, summed over the targets. */
    private static final class CombinedProgress {
        private final int[] done;
        private final int[] total;
        private final BiConsumer<Integer, Integer> sink;

        CombinedProgress(int targets, BiConsumer<Integer, Integer> sink) {
            this.done = new int[targets];
            this.total = new int[targets];
            this.sink = sink;
        }

        /** The progress of one target; a class of its own, not a lambda (the hook's path spins up none it can spare). */
        BiConsumer<Integer, Integer> of(int target) {
            return new TargetProgress(this, target);
        }

        synchronized void update(int target, int targetDone, int targetTotal) {
            done[target] = targetDone;
            total[target] = targetTotal;
            int allDone = 0;
            int allTotal = 0;
            for (int i = 0; i < done.length; i++) {
                allDone += done[i];
                allTotal += total[i];
            }
            sink.accept(allDone, allTotal);
        }
    }

    private record TargetProgress(CombinedProgress combined, int target) implements BiConsumer<Integer, Integer> {
        @Override
        public void accept(Integer done, Integer total) {
            combined.update(target, done, total);
        }
    }

    private List<CertificateResult> deployToTarget(CertificateFeed certificates, TargetConfig configured,
                                                   Optional<Function<CertificateFeed, Set<String>>> prune,
                                                   BiConsumer<Integer, Integer> progress) {
        long started = System.nanoTime();
        // Resolved under the lock and before anything is written: a container target's paths come from its mounts.
        boolean ready = prepared != null && prepared.configured() == configured;
        try (CertificateLock lock = ready ? prepared.lock() : CertificateLock.acquire(configured.lockFile(), options.lockTimeout());
             TargetConnector.Resolved resolved = ready ? prepared.resolved() : TargetConnector.resolve(configured,
                     namesToReadAhead(certificates, configured), notices);
             SharedFiles files = ready ? prepared.files() : holdFiles(resolved.target(), options, options.lockTimeout())) {
            TargetConfig target = resolved.target();
            // The prepared hook path has looked already: without a hidden .tmp file there is no temp file to remove.
            if (!options.dryRun() && (!ready || prepared.observation().certDirMayHoldTemps())) {
                int removed = AtomicFileWriter.removeStaleTemps(target.paths().toHost(target.certDir()));
                if (removed > 0) {
                    notices.accept(target.name() + ": removed " + removed + " temporary file(s) left by an interrupted run");
                }
            }
            RuntimeApiClient client;
            try {
                client = resolved.client();
            } catch (HaproxyUnreachableException unreachable) {
                if (target.reload().isPresent() && !options.dryRun()) {
                    notices.accept(target.name() + ": " + unreachable.getMessage() + "; falling back to a reload");
                    return new ReloadFallback(target, options, notices, resolved.engineReload()).deploy(certificates);
                }
                return failAll(certificates.summaries(), target, unreachable, started);
            }
            try (client) {
                TargetSession session = new TargetSession(client, target, options, notices,
                        prune.isPresent() || certificates.hasAtLeast(2));
                if (ready) {
                    session.observedEarly(prepared.observation());
                }
                session.clearLeftoverTransactions(certificates);
                List<CertificateResult> results = new ArrayList<>();
                if (BulkSession.suits(certificates)) {
                    // Many certificates: pipelined batches, taken as the source delivers them; the session takes
                    // what the bulk path hands back.
                    results.addAll(new BulkSession(client, target, options, notices, progress, session)
                            .deploy(certificates.cursor()));
                } else {
                    List<DesiredCertificate> all = certificates.all();
                    for (int i = 0; i < all.size(); i++) {
                        results.add(session.deploy(all.get(i)));
                        progress.accept(i + 1, all.size());
                    }
                }
                flushCrtList(session, results);
                Path certDir = target.paths().toHost(target.certDir());
                List<String> deployed = new ArrayList<>();
                for (CertificateResult r : results) {
                    if (r.outcome().success()) {
                        deployed.add(r.certificate());
                    }
                }
                if (prune.isEmpty() && (options.dryRun() || OwnershipFile.listsAll(certDir, deployed))) {
                    return results;  // the registry already names them all: nothing to read or write
                }
                OwnershipFile owned = OwnershipFile.read(certDir);
                if (!options.dryRun()) {
                    owned.update(deployed, List.of(), target.files());
                }
                if (prune.isPresent()) {
                    Set<String> wanted = new HashSet<>();
                    certificates.names().forEach(name -> wanted.add(TargetSession.certName(target, name)));
                    prune.get().apply(certificates).forEach(name -> wanted.add(TargetSession.certName(target, name)));
                    List<String> removed = new ArrayList<>();
                    for (CertificateResult r : session.removeAll(
                            owned.names().stream().filter(name -> !wanted.contains(name)).toList())) {
                        results.add(r);
                        if (r.outcome() == Outcome.REMOVED) {
                            removed.add(r.certificate());
                        }
                    }
                    if (!options.dryRun()) {
                        owned.update(List.of(), removed, target.files());
                    }
                }
                return results;
            }
        } catch (HapcertException e) {
            return failAll(certificates.summaries(), configured, e, started);
        }
    }

    /**
     * Holds the files on this host that a target's run reads and writes as its own, its certificate directory and
     * crt-list, against other targets that share them: in this process, and in others up to {@code timeout}. A dry
     * run creates no lock file.
     */
    static SharedFiles holdFiles(TargetConfig target, DeployOptions options, Duration timeout) throws HapcertException {
        return SharedFiles.hold(target.paths().toHost(target.certDir()), target.paths().toHost(target.crtList()), timeout,
                !options.dryRun());
    }

    /**
     * The names a container's exec transport reads ahead in its first exchange (each exchange costs an exec);
     * other transports ask as they go, so a feed still being read is not waited for.
     */
    private static List<String> namesToReadAhead(CertificateFeed certificates, TargetConfig target) {
        if (target.docker().isEmpty()) {
            return List.of();
        }
        return certificates.firstNames(ContainerConnector.READ_AHEAD_CERTIFICATES).stream()
                .map(name -> TargetSession.certName(target, name)).toList();
    }

    /**
     * Writes the crt-list file once for the whole target. If that fails, the certificates are served but a restart
     * would not list them: their results say so and fail.
     */
    private static void flushCrtList(TargetSession session, List<CertificateResult> results) {
        List<String> pending = session.pendingCrtListLines();
        try {
            session.flush();
        } catch (HapcertException e) {
            for (int i = 0; i < results.size(); i++) {
                CertificateResult r = results.get(i);
                if (pending.contains(r.certificate())) {
                    results.set(i, new CertificateResult(r.target(), r.certificate(), Outcome.forFailure(e.exitCode()),
                            r.previousSerial(), r.serial(), "served, but the crt-list file was not updated, so a restart "
                            + "would drop it: " + e.getMessage(), r.millis()));
                }
            }
        }
    }

    private static List<CertificateResult> failAll(List<CertificateFeed.Summary> certificates, TargetConfig target,
                                                   HapcertException error, long started) {
        long millis = (System.nanoTime() - started) / 1_000_000;
        List<CertificateResult> results = new ArrayList<>();
        for (CertificateFeed.Summary c : certificates) {
            results.add(new CertificateResult(target.name(), TargetSession.certName(target, c.name()),
                    Outcome.forFailure(error.exitCode()), null, c.serialHex(), error.getMessage(), millis));
        }
        return results;
    }
}
