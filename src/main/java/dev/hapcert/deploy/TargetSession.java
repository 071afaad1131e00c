package dev.hapcert.deploy;

import dev.hapcert.cert.Bundle;
import dev.hapcert.config.LeftoverTransactionPolicy;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.VerificationException;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.SslCertDetails;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.store.AtomicFileWriter;
import dev.hapcert.store.CrashPoint;
import dev.hapcert.store.CrtListFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The work on one HAProxy while its certificate lock is held: observe, plan, apply and verify one certificate at a
 * time.
 *
 * <p>Order of a change, chosen so that a crash at any point leaves HAProxy serving a valid certificate and the
 * files on disk valid for a restart, and a rerun converges:
 * <ol>
 *   <li>{@code new ssl cert} (a new name only) and {@code set ssl cert}: HAProxy itself parses the bundle inside a
 *       transaction, so a bundle it would reject never reaches the disk;</li>
 *   <li>the bundle file, written atomically;</li>
 *   <li>{@code commit ssl cert}; if HAProxy refuses, the previous file is put back;</li>
 *   <li>{@code add ssl crt-list}, then the crt-list file line, so the file never names a certificate HAProxy has not
 *       accepted.</li>
 * </ol>
 */
final class TargetSession {
    private static final long LEFTOVER_GRACE_MILLIS = 2_000;

    private final RuntimeApiClient client;
    private final TargetConfig target;
    private final DeployOptions options;
    private final Consumer<String> notices;
    private final Path crtListOnHost;

    TargetSession(RuntimeApiClient client, TargetConfig target, DeployOptions options, Consumer<String> notices)
            throws ConfigException {
        this.client = client;
        this.target = target;
        this.options = options;
        this.notices = notices;
        this.crtListOnHost = target.paths().toHost(target.crtList());
    }

    static String certName(TargetConfig target, DesiredCertificate certificate) {
        String dir = target.certDir().endsWith("/") ? target.certDir() : target.certDir() + "/";
        return dir + certificate.name() + ".pem";
    }

    /**
     * HAProxy has one certificate transaction per process. One left open by a crashed deployer blocks every later
     * change, and in 2.6 a {@code set ssl cert} for another name silently lands in it. We hold the lock, so no other
     * hapcert is working now: a transaction on one of our names is ours to abort; one on another name gets a grace
     * period (another tool may be mid-change) and then the configured policy.
     */
    void clearLeftoverTransactions(List<DesiredCertificate> certificates) throws HapcertException {
        List<String> open = client.showSslCertTransactions();
        if (open.isEmpty()) {
            return;
        }
        Set<String> ours = new HashSet<>();
        certificates.forEach(c -> ours.add(certName(target, c)));
        for (String name : open) {
            if (ours.contains(name)) {
                notices.accept(target.name() + ": aborting a transaction left open on " + name + " by an interrupted run");
                if (!options.dryRun()) {
                    client.abortSslCert(name);
                }
            }
        }
        long deadline = System.currentTimeMillis() + LEFTOVER_GRACE_MILLIS;
        List<String> others = otherTransactions(ours);
        while (!others.isEmpty() && System.currentTimeMillis() < deadline) {
            sleep(100);
            others = otherTransactions(ours);
        }
        for (String name : others) {
            if (target.onLeftoverTransaction() == LeftoverTransactionPolicy.FAIL) {
                throw new HaproxyRefusedException("HAProxy has a certificate transaction open on " + name
                        + " that nobody commits; abort it with `abort ssl cert " + name
                        + "` or set on-leftover-transaction: abort");
            }
            notices.accept(target.name() + ": aborting an abandoned certificate transaction on " + name);
            if (!options.dryRun()) {
                client.abortSslCert(name);
            }
        }
    }

    private List<String> otherTransactions(Set<String> ours) throws HapcertException {
        return client.showSslCertTransactions().stream().filter(n -> !ours.contains(n)).toList();
    }

    CertificateResult deploy(DesiredCertificate certificate) {
        long started = System.nanoTime();
        String certName = certName(target, certificate);
        String serial = certificate.bundle().serialHex();
        String previous = null;
        try {
            Path bundlePath = target.paths().toHost(certName);
            ObservedState observed = observe(certName, bundlePath, certificate.bundle());
            previous = observed.loaded().flatMap(ObservedState.Loaded::serial).orElse(null);
            PlanStep step = Planner.plan(certificate, certName, observed, options.force());
            // Java 17 has no pattern switch; the sealed interface keeps this list complete.
            if (step instanceof PlanStep.Add add) {
                return applyAndVerify(certificate, certName, bundlePath, add.work(), Outcome.ADDED, observed, started);
            } else if (step instanceof PlanStep.Update update) {
                return applyAndVerify(certificate, certName, bundlePath, update.work(), Outcome.UPDATED, observed, started);
            } else if (step instanceof PlanStep.Refused refused) {
                return result(certName, Outcome.REFUSED_OLDER, observed, serial, refused.reason(), started);
            }
            return result(certName, Outcome.UNCHANGED, observed, serial, "already deployed", started);
        } catch (HapcertException e) {
            return new CertificateResult(target.name(), certName, Outcome.forFailure(e.exitCode()), previous, serial,
                    e.getMessage(), elapsed(started));
        }
    }

    private CertificateResult applyAndVerify(DesiredCertificate certificate, String certName, Path bundlePath,
                                             PlanStep.Work work, Outcome outcome, ObservedState observed, long started)
            throws HapcertException {
        String serial = certificate.bundle().serialHex();
        if (options.dryRun()) {
            return result(certName, Outcome.PLANNED, observed, serial, "would " + work.describe(), started);
        }
        apply(certificate, certName, bundlePath, work);
        verify(certificate, certName);
        return result(certName, outcome, observed, serial, work.describe() + "; verified", started);
    }

    private CertificateResult result(String certName, Outcome outcome, ObservedState observed, String serial, String detail,
                                     long started) {
        String previous = observed.loaded().flatMap(ObservedState.Loaded::serial).orElse(null);
        return new CertificateResult(target.name(), certName, outcome, previous, serial, detail, elapsed(started));
    }

    private ObservedState observe(String certName, Path bundlePath, Bundle bundle) throws HapcertException {
        Optional<ObservedState.Loaded> loaded = client.showSslCert(certName).map(TargetSession::loadedFrom);
        boolean exists = Files.exists(bundlePath, LinkOption.NOFOLLOW_LINKS);
        boolean matches = false;
        if (exists && Files.isRegularFile(bundlePath, LinkOption.NOFOLLOW_LINKS)) {
            try {
                matches = Arrays.equals(Files.readAllBytes(bundlePath), bundle.haproxyPem());
            } catch (IOException e) {
                throw new ConfigException("cannot read " + bundlePath + ": " + e.getMessage(), e);
            }
        }
        boolean inFile = CrtListFile.hasEntry(crtListOnHost, certName);
        boolean inRuntime = client.findCrtListEntry(target.crtList(), certName).isPresent();
        return new ObservedState(loaded, exists, matches, inFile, inRuntime);
    }

    private static ObservedState.Loaded loadedFrom(SslCertDetails d) {
        return new ObservedState.Loaded(d.serial().filter(s -> !s.isEmpty()), d.sha1Fingerprint().filter(s -> !s.isEmpty()),
                d.notBefore());
    }

    private void apply(DesiredCertificate certificate, String certName, Path bundlePath, PlanStep.Work work)
            throws HapcertException {
        Bundle bundle = certificate.bundle();
        if (work.loadInRuntime()) {
            byte[] previousFile = work.writeBundle() ? readIfRegular(bundlePath) : null;
            boolean created = false;
            boolean fileWritten = false;
            try {
                if (work.createInRuntime()) {
                    client.newSslCert(certName);
                    created = true;
                }
                sendBundle(certName, bundle);
                CrashPoint.reached("after-set-ssl-cert");
                if (work.writeBundle()) {
                    AtomicFileWriter.write(bundlePath, bundle.haproxyPem(), target.files());
                    fileWritten = true;
                }
                client.commitSslCert(certName);
                CrashPoint.reached("after-commit");
            } catch (HapcertException | RuntimeException e) {
                undo(certName, bundlePath, previousFile, created, fileWritten);
                throw e;
            }
        } else if (work.writeBundle()) {
            AtomicFileWriter.write(bundlePath, bundle.haproxyPem(), target.files());
        }
        String line = CrtListFile.formatLine(certName, target.sslOptions(), List.of());
        if (work.addRuntimeCrtListEntry()) {
            client.addCrtListEntry(target.crtList(), line);
        }
        CrashPoint.reached("before-crt-list-update");
        if (work.writeCrtListFile()) {
            CrtListFile updated = CrtListFile.read(crtListOnHost).withEntry(line);
            AtomicFileWriter.write(crtListOnHost, updated.render().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    target.files());
        }
    }

    /**
     * In 2.6 a command and its payload must fit in one buffer ({@code tune.bufsize}); past it HAProxy drops the
     * connection without a word. A larger bundle goes as two payloads in the same transaction: the certificates
     * under the name, then the key under {@code <name>.key}.
     */
    private void sendBundle(String certName, Bundle bundle) throws HapcertException {
        String whole = new String(bundle.haproxyPem(), java.nio.charset.StandardCharsets.US_ASCII);
        int overhead = "set ssl cert ".length() + certName.length() + " <<\n".length() + 2 + 64;
        if (whole.length() + overhead <= options.payloadLimit()) {
            client.setSslCert(certName, whole);
            return;
        }
        String certificates = bundle.certificatesPem();
        if (certificates.length() + overhead > options.payloadLimit()) {
            throw new HaproxyRefusedException("the certificates of " + certName + " take " + certificates.length()
                    + " bytes, more than HAProxy accepts in one Runtime API payload (" + options.payloadLimit()
                    + " bytes, tune.bufsize): raise tune.bufsize in haproxy.cfg and payload-limit in hapcert.yml");
        }
        client.setSslCert(certName, certificates);
        client.setSslCertKey(certName, bundle.keyPem());
    }

    private void undo(String certName, Path bundlePath, byte[] previousFile, boolean created, boolean fileWritten) {
        try {
            client.abortSslCert(certName);
        } catch (HapcertException | RuntimeException ignored) {
            // Nothing may be open (the failure came before set); the original error is what matters.
        }
        if (fileWritten) {
            try {
                if (previousFile != null) {
                    AtomicFileWriter.write(bundlePath, previousFile, target.files());
                } else {
                    Files.deleteIfExists(bundlePath);
                }
            } catch (HapcertException | IOException | RuntimeException e) {
                notices.accept(target.name() + ": could not restore " + bundlePath + ": " + e.getMessage());
            }
        }
        if (created) {
            try {
                client.delSslCert(certName);
            } catch (HapcertException | RuntimeException ignored) {
                // An empty store left behind is harmless: the next run sees it and fills it.
            }
        }
    }

    private static byte[] readIfRegular(Path path) throws ConfigException {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private void verify(DesiredCertificate certificate, String certName) throws HapcertException {
        Bundle bundle = certificate.bundle();
        SslCertDetails loaded = client.showSslCert(certName).orElseThrow(() -> new VerificationException(
                "after the commit HAProxy does not list " + certName));
        if (!loadedFrom(loaded).matches(bundle)) {
            throw new VerificationException("HAProxy reports serial " + loaded.serial().orElse("(none)") + " for " + certName
                    + " after the commit, expected " + bundle.serialHex());
        }
        if (client.findCrtListEntry(target.crtList(), certName).isEmpty()) {
            throw new VerificationException("HAProxy's crt-list " + target.crtList() + " does not list " + certName);
        }
        if (options.verifyTls().isPresent()) {
            DeployOptions.TlsEndpoint endpoint = options.verifyTls().get();
            for (String name : bundle.dnsNames()) {
                X509Certificate served = TlsProbe.servedCertificate(endpoint.host(), endpoint.port(), TlsProbe.probeName(name));
                if (!sameCertificate(served, bundle.leaf())) {
                    throw new VerificationException(endpoint.host() + ":" + endpoint.port() + " serves serial "
                            + served.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT) + " for " + name
                            + ", expected " + bundle.serialHex());
                }
            }
        }
    }

    private static boolean sameCertificate(X509Certificate a, X509Certificate b) {
        try {
            return Arrays.equals(a.getEncoded(), b.getEncoded());
        } catch (CertificateEncodingException e) {
            return false;
        }
    }

    private static long elapsed(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
