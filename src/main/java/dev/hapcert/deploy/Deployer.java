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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
     * Each target after the first gets the sources read anew ({@link CertificateFeed#again}): a feed lets its
     * certificates go as they are deployed, so that a store of any size fits the heap, and cannot be walked twice.
     * {@code prune} names, per feed, what a prune must keep besides the feed's certificates.
     */
    private DeployReport run(CertificateFeed first, List<TargetConfig> targets,
                             Optional<Function<CertificateFeed, Set<String>>> prune) {
        List<CertificateResult> results = new ArrayList<>();
        CertificateFeed certificates = first;
        for (int i = 0; i < targets.size(); i++) {
            if (i > 0) {
                CrashPoint.reached("between-targets");
                try {
                    certificates = certificates.again();
                } catch (HapcertException e) {
                    // The store went away between targets: this one fails with the names of the last read.
                    results.addAll(failAll(certificates.summaries(), targets.get(i), e, System.nanoTime()));
                    continue;
                }
            }
            results.addAll(deployToTarget(certificates, targets.get(i), prune));
        }
        return new DeployReport(results);
    }

    private List<CertificateResult> deployToTarget(CertificateFeed certificates, TargetConfig configured,
                                                   Optional<Function<CertificateFeed, Set<String>>> prune) {
        long started = System.nanoTime();
        // Resolved under the lock and before anything is written: a container target's paths come from its mounts.
        boolean ready = prepared != null && prepared.configured() == configured;
        try (CertificateLock lock = ready ? prepared.lock() : CertificateLock.acquire(configured.lockFile(), options.lockTimeout());
             TargetConnector.Resolved resolved = ready ? prepared.resolved() : TargetConnector.resolve(configured,
                     namesToReadAhead(certificates, configured), notices)) {
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
