package dev.hapcert.deploy;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.haproxy.CertificateLock;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.SslCertDetails;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.store.CrtListFile;
import dev.hapcert.store.SharedFiles;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The deploy hook's one certificate onto its one target, with the target's read-only work done while the bundle
 * is still being parsed and validated. A hook's whole run is a few tens of milliseconds, and parsing a bundle in a
 * fresh JVM and asking an HAProxy that holds thousands of certificates about one of them take about as long each;
 * on a second core they overlap.
 *
 * <p>A worker thread resolves the configured targets, takes the certificate lock and its files (without waiting: a
 * held lock means another deploy is running, and the usual path waits for it), opens the Runtime API and reads what
 * {@link TargetSession} would read first: the open transactions, the certificate's store, its running crt-list
 * entry and its crt-list file line. It changes nothing. Once the caller hands over the validated certificate, the
 * same worker (the lock belongs to the thread that took it) runs {@link Deployer} on the prepared target, which
 * then goes exactly as usual from the lock on, observations included. If the bundle is invalid the caller cancels
 * and the worker lets go of everything, having changed nothing.
 *
 * <p>Anything unusual while preparing (not exactly one target, a container target, a held lock, a Runtime API that
 * does not answer or refuses, an open transaction, files another process holds) prepares nothing: {@link #deploy} then returns empty and the
 * caller runs the usual path, which meets the same situation and handles or reports it as it always has.
 */
public final class PreparedDeploy {
    /** What the worker needs from the command; called once each, on the worker. */
    public interface Request {
        /** The command's targets. */
        List<TargetConfig> targets() throws HapcertException;

        /**
         * The name the certificate will have ({@link DesiredCertificate#name()}), known before its bundle is read;
         * empty when it cannot be known (or is not a safe name, which reading the bundle then reports).
         */
        Optional<String> certificateName();
    }

    private final Request request;
    private volatile String certificateName;
    private final DeployOptions options;
    private final Consumer<String> notices;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch decided = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile PreparedTarget prepared;
    private volatile DesiredCertificate certificate;
    private volatile DeployReport report;
    private volatile Throwable failure;

    private PreparedDeploy(Request request, DeployOptions options, Consumer<String> notices) {
        this.request = Objects.requireNonNull(request, "request");
        this.options = Objects.requireNonNull(options, "options");
        this.notices = Objects.requireNonNull(notices, "notices");
    }

    /** Starts preparing on a new thread and returns at once: the caller goes on to read the bundle. */
    public static PreparedDeploy start(Request request, DeployOptions options, Consumer<String> notices) {
        PreparedDeploy deploy = new PreparedDeploy(request, options, notices);
        Thread worker = new Worker(deploy);
        worker.setDaemon(true);
        worker.start();
        return deploy;
    }

    /**
     * Deploys the validated {@code certificate} onto the prepared target and returns the report, or returns empty
     * when nothing could be prepared (the caller then runs the usual path). An unexpected exception of the deploy
     * is rethrown here as it would have been thrown by {@link Deployer#deploy}.
     */
    public Optional<DeployReport> deploy(DesiredCertificate certificate) {
        Objects.requireNonNull(certificate, "certificate");
        Uninterruptibly.await(ready);
        if (prepared == null || !certificate.name().equals(certificateName)) {
            cancel();
            return Optional.empty();
        }
        this.certificate = certificate;
        decided.countDown();
        Uninterruptibly.await(finished);
        Throwable t = failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return Optional.of(report);
    }

    /**
     * The bundle did not validate: the worker releases the lock and closes the connection as soon as it is done
     * preparing, having changed nothing. Does not wait for it.
     */
    public void cancel() {
        certificate = null;
        decided.countDown();
    }

    private void work() {
        PreparedTarget target = null;
        try {
            target = prepare();
        } finally {
            prepared = target;
            ready.countDown();
        }
        if (target != null) {
            deployOn(target);
        }
    }

    /** Waits for the caller's decision, then deploys or lets go; the lock is released on this thread either way. */
    private void deployOn(PreparedTarget target) {
        try (target) {
            Uninterruptibly.await(decided);
            DesiredCertificate chosen = certificate;
            if (chosen != null) {
                report = new Deployer(options, notices, target).deploy(List.of(chosen), List.of(target.configured()));
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            finished.countDown();
        }
    }

    /** The prepared target, or null when the usual path must run; never leaves anything held when null. */
    private PreparedTarget prepare() {
        TargetConfig target;
        String certName;
        try {
            Optional<String> name = request.certificateName();
            if (name.isEmpty()) {
                return null;
            }
            certificateName = name.get();
            List<TargetConfig> all = request.targets();
            if (all.size() != 1 || all.get(0).docker().isPresent()) {
                // Several targets go at once on the usual path, and a container's engine takes longer than the
                // bundle's validation (prepared that way too, a renewal through an exec measured the same: 0.41 s).
                return null;
            }
            target = all.get(0);
            certName = TargetSession.certName(target, certificateName);
        } catch (HapcertException | RuntimeException e) {
            return null;
        }
        CertificateLock lock;
        try {
            lock = CertificateLock.acquire(target.lockFile(), Duration.ZERO);
        } catch (ConfigException | RuntimeException busy) {
            return null;
        }
        SharedFiles held;
        try {
            // Before the files are looked at: another process deploying to another HAProxy on them must be done.
            held = Deployer.holdFiles(target, options, Duration.ZERO);
        } catch (HapcertException | RuntimeException busy) {
            lock.close();
            return null;
        }
        // The files are looked at on a third thread meanwhile: that work fits while HAProxy composes its listings.
        FileLook files = new FileLook(target, certName);
        files.setDaemon(true);
        files.start();
        TargetConnector.Resolved resolved = null;
        try {
            resolved = TargetConnector.resolve(target, List.of(certName), notices);
            RuntimeApiClient client = resolved.client();
            // The open transaction from one short probe, the store by name, and the running crt-list only when the
            // files cannot tell: nothing here lists what HAProxy holds in full.
            if (!client.showSslCertTransactions().isEmpty()) {
                resolved.close();
                held.close();
                lock.close();
                return null;
            }
            Optional<SslCertDetails> loaded = client.showSslCert(certName);
            files.finish();
            boolean inRuntime = TargetSession.runtimeCrtListHas(client, target, certName, loaded, files.inCrtListFile);
            return new PreparedTarget(target, lock, held, resolved,
                    new EarlyObservation(certName, loaded, inRuntime, files.inCrtListFile, files.certDirMayHoldTemps));
        } catch (HapcertException | RuntimeException e) {
            if (resolved != null) {
                resolved.close();
            }
            held.close();
            lock.close();
            return null;
        }
    }

    /**
     * The read-only file half of the observation: the crt-list file's line and the certificate directory's temp
     * files. Run while the worker waits for HAProxy; {@link #finish()} joins it and rethrows its failure.
     */
    private static final class FileLook extends Thread {
        private final TargetConfig target;
        private final String certName;
        private volatile boolean inCrtListFile;
        private volatile boolean certDirMayHoldTemps;
        private volatile Exception failure;

        FileLook(TargetConfig target, String certName) {
            super("hapcert-prepare-files");
            this.target = target;
            this.certName = certName;
        }

        @Override
        public void run() {
            try {
                inCrtListFile = CrtListFile.hasEntry(target.paths().toHost(target.crtList()), certName);
                certDirMayHoldTemps = mayHoldTemps(target);
            } catch (HapcertException | RuntimeException e) {
                failure = e;
            }
        }

        void finish() throws HapcertException {
            Uninterruptibly.join(this);
            if (failure instanceof HapcertException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
        }
    }

    /**
     * Whether the certificate directory has a hidden {@code .tmp} file, the form of {@code AtomicFileWriter}'s temp
     * files ({@code .hapcert-<name>.<random>.tmp}; the ownership registry is hidden too, so the suffix matters).
     * Names only ({@code readdir}), no {@code Path} per entry: with 10,000 certificates that costs a quarter of the
     * clean-up's own listing, and it runs before the bundle is validated rather than after.
     */
    private static boolean mayHoldTemps(TargetConfig target) throws ConfigException {
        String[] names = target.paths().toHost(target.certDir()).toFile().list();
        if (names == null) {
            return true;
        }
        for (String name : names) {
            if (name.startsWith(".") && name.endsWith(".tmp")) {
                return true;
            }
        }
        return false;
    }

    /** A named thread rather than a lambda: no method-handle machinery to spin up on the hook's path. */
    private static final class Worker extends Thread {
        private final PreparedDeploy deploy;

        Worker(PreparedDeploy deploy) {
            super("hapcert-prepare");
            this.deploy = deploy;
        }

        @Override
        public void run() {
            deploy.work();
        }
    }
}
