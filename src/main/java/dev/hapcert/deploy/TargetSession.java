package dev.hapcert.deploy;

import dev.hapcert.cert.Bundle;
import dev.hapcert.config.LeftoverTransactionPolicy;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.VerificationException;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.SslCertDetails;
import dev.hapcert.source.CertificateFeed;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.store.AtomicFileWriter;
import dev.hapcert.store.CrashPoint;
import dev.hapcert.store.CrtListFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final boolean bulk;
    /** The running crt-list and the crt-list file, read once per session and kept in step as entries are added. */
    private Set<String> runtimeCrtList;
    private CrtListFile crtListFile;
    /** Certificates whose crt-list file line is added in memory but not yet written: see {@link #flush()}. */
    private final List<String> pendingCrtListLines = new ArrayList<>();
    /**
     * Lines not yet applied to {@link #crtListFile}, by certificate: applied all at once when the file is needed,
     * because applying one line re-reads the whole list and a sync of thousands would be quadratic.
     */
    private final Map<String, String> unappliedLines = new LinkedHashMap<>();
    private final BundleForm form;
    /** Observed while the bundle was validated (the hook's prepared path), used once instead of asking; or null. */
    private EarlyObservation early;

    /**
     * @param bulk many certificates follow: read the running crt-list and the crt-list file once and keep them; for
     *     one certificate, look up only its own line (a hook must not parse 10,000 entries to find one)
     */
    TargetSession(RuntimeApiClient client, TargetConfig target, DeployOptions options, Consumer<String> notices,
                  boolean bulk) throws ConfigException {
        this.client = client;
        this.bulk = bulk;
        this.target = target;
        this.options = options;
        this.notices = notices;
        this.crtListOnHost = target.paths().toHost(target.crtList());
        this.form = BundleForm.of(target, client, notices);
    }

    /** How this target's bundles are rendered; the bulk path beside this session renders them the same way. */
    BundleForm form() {
        return form;
    }

    static String certName(TargetConfig target, DesiredCertificate certificate) {
        return certName(target, certificate.name());
    }

    static String certName(TargetConfig target, String name) {
        String dir = target.certDir().endsWith("/") ? target.certDir() : target.certDir() + "/";
        return dir + name + ".pem";
    }

    /**
     * Removes certificates hapcert deployed earlier and the source no longer has, in the order that keeps a restart
     * valid at every step: from HAProxy first (each one's running crt-list entry, then its store), then their lines
     * from the crt-list file, written once for all of them, and last their bundle files (a file nobody references is
     * harmless; a reference to a missing file stops HAProxy). Written once per certificate, removing thousands
     * rewrote and fsynced the whole list thousands of times. One result per name, in order.
     */
    List<CertificateResult> removeAll(List<String> certNames) {
        long started = System.nanoTime();
        CertificateResult[] results = new CertificateResult[certNames.size()];
        if (options.dryRun()) {
            for (int i = 0; i < results.length; i++) {
                results[i] = new CertificateResult(target.name(), certNames.get(i), Outcome.PLANNED, null, null,
                        "would remove: no longer in the source", elapsed(started));
            }
            return List.of(results);
        }
        // Out of HAProxy; what HAProxy refuses keeps its line and file.
        List<Integer> outOfHaproxy = new ArrayList<>();
        String[] serials = new String[results.length];
        for (int i = 0; i < results.length; i++) {
            String certName = certNames.get(i);
            try {
                Optional<SslCertDetails> loaded = client.showSslCert(certName);
                if (runtimeCrtList().remove(certName)) {
                    client.delCrtListEntry(target.crtList(), certName);
                }
                if (loaded.isPresent()) {
                    client.delSslCert(certName);
                }
                serials[i] = loaded.flatMap(SslCertDetails::serial).orElse(null);
                outOfHaproxy.add(i);
            } catch (HapcertException e) {
                results[i] = new CertificateResult(target.name(), certName, Outcome.forFailure(e.exitCode()), null, null,
                        "removing: " + e.getMessage(), elapsed(started));
            }
        }
        try {
            CrtListFile current = currentCrtListFile();
            CrtListFile without = current.withoutEntries(outOfHaproxy.stream().map(certNames::get).toList());
            if (without != current) {
                crtListFile = without;
                writeCrtListFile();
            }
        } catch (HapcertException e) {
            // Listed on disk with their files still there: a restart loads them again, a rerun removes them.
            for (int i : outOfHaproxy) {
                results[i] = new CertificateResult(target.name(), certNames.get(i), Outcome.forFailure(e.exitCode()),
                        serials[i], null, "removed from HAProxy, but not from the crt-list file, so its bundle file is "
                        + "kept: " + e.getMessage(), elapsed(started));
            }
            return List.of(results);
        }
        for (int i : outOfHaproxy) {
            String certName = certNames.get(i);
            try {
                Files.deleteIfExists(target.paths().toHost(certName));
                results[i] = new CertificateResult(target.name(), certName, Outcome.REMOVED, serials[i], null,
                        "no longer in the source", elapsed(started));
            } catch (IOException | HapcertException e) {
                results[i] = new CertificateResult(target.name(), certName, Outcome.FAILED, serials[i], null,
                        "removing: " + e.getMessage(), elapsed(started));
            }
        }
        return List.of(results);
    }

    /**
     * HAProxy has one certificate transaction per process. One left open by a crashed deployer blocks every later
     * change, and in 2.6 a {@code set ssl cert} for another name silently lands in it. We hold the lock, so no other
     * hapcert is working now: a transaction on one of our names is ours to abort; one on another name gets a grace
     * period (another tool may be mid-change) and then the configured policy.
     */
    void clearLeftoverTransactions(CertificateFeed certificates) throws HapcertException {
        // An early observation is only ever taken with no transaction open (under the lock, so still none).
        List<String> open = early != null ? List.of() : client.showSslCertTransactions();
        if (open.isEmpty()) {
            return;
        }
        // Only now the names: a sync's certificates may still be being read, and this rarely happens.
        Set<String> ours = new HashSet<>();
        certificates.names().forEach(name -> ours.add(certName(target, name)));
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
            // Encoded once: compared with the file, sent to HAProxy and written are the same bytes.
            byte[] pem = form.pem(certificate.bundle());
            ObservedState observed = observe(certName, bundlePath, pem);
            previous = observed.loaded().flatMap(ObservedState.Loaded::serial).orElse(null);
            PlanStep step = Planner.plan(certificate, certName, observed, options.force());
            // Java 17 has no pattern switch; the sealed interface keeps this list complete.
            if (step instanceof PlanStep.Add add) {
                return applyAndVerify(certificate, pem, certName, bundlePath, add.work(), Outcome.ADDED, observed, started);
            } else if (step instanceof PlanStep.Update update) {
                return applyAndVerify(certificate, pem, certName, bundlePath, update.work(), Outcome.UPDATED, observed,
                        started);
            } else if (step instanceof PlanStep.Refused refused) {
                return result(certName, Outcome.REFUSED_OLDER, observed, serial, refused.reason(), started);
            }
            if (options.verifyTls().isPresent() && !options.dryRun()) {
                // Nothing to change is not proof of being served: a rerun after a failed verification must fail again.
                verifyServed(certificate.bundle());
                return result(certName, Outcome.UNCHANGED, observed, serial, "already deployed; verified by TLS", started);
            }
            return result(certName, Outcome.UNCHANGED, observed, serial, "already deployed", started);
        } catch (HapcertException e) {
            return new CertificateResult(target.name(), certName, Outcome.forFailure(e.exitCode()), previous, serial,
                    e.getMessage(), elapsed(started));
        }
    }

    private CertificateResult applyAndVerify(DesiredCertificate certificate, byte[] pem, String certName, Path bundlePath,
                                             PlanStep.Work work, Outcome outcome, ObservedState observed, long started)
            throws HapcertException {
        String serial = certificate.bundle().serialHex();
        if (options.dryRun()) {
            return result(certName, Outcome.PLANNED, observed, serial, "would " + work.describe(), started);
        }
        apply(certificate, pem, certName, bundlePath, work);
        verify(certificate, certName);
        return result(certName, outcome, observed, serial, work.describe() + "; verified", started);
    }

    private CertificateResult result(String certName, Outcome outcome, ObservedState observed, String serial, String detail,
                                     long started) {
        String previous = observed.loaded().flatMap(ObservedState.Loaded::serial).orElse(null);
        return new CertificateResult(target.name(), certName, outcome, previous, serial, detail, elapsed(started));
    }

    /** Uses {@code observation} instead of asking HAProxy and the crt-list file, once, for its certificate. */
    void observedEarly(EarlyObservation observation) {
        this.early = observation;
    }

    private ObservedState observe(String certName, Path bundlePath, byte[] pem) throws HapcertException {
        EarlyObservation seen = early != null && early.certName().equals(certName) ? early : null;
        early = null;
        Optional<SslCertDetails> seenLoaded = seen != null ? seen.loaded() : client.showSslCert(certName);
        Optional<ObservedState.Loaded> loaded = seenLoaded.map(TargetSession::loadedFrom);
        boolean exists = Files.exists(bundlePath, LinkOption.NOFOLLOW_LINKS);
        boolean matches = false;
        if (exists && Files.isRegularFile(bundlePath, LinkOption.NOFOLLOW_LINKS)) {
            try {
                matches = Arrays.equals(Files.readAllBytes(bundlePath), pem);
            } catch (IOException e) {
                throw new ConfigException("cannot read " + bundlePath + ": " + e.getMessage(), e);
            }
        }
        requireCrtListFileUnlessUnused();
        boolean inFile;
        boolean inRuntime;
        if (seen != null) {
            inFile = seen.inCrtListFile();
            inRuntime = seen.inRuntimeCrtList();
        } else if (bulk) {
            inFile = unappliedLines.containsKey(certName) || crtListFile().find(certName).isPresent();
            inRuntime = runtimeCrtList().contains(certName);
        } else {
            // One certificate: look for its line without parsing thousands of others.
            inFile = CrtListFile.hasEntry(crtListOnHost, certName);
            inRuntime = runtimeCrtListHas(client, target, certName, seenLoaded, inFile);
        }
        return new ObservedState(loaded, exists, matches, inFile, inRuntime);
    }

    /**
     * Whether the running crt-list has an entry for one certificate, listed only when that cannot be known
     * otherwise. A store HAProxy uses whose line is in the crt-list file came from that line: at start, or through
     * {@code add ssl crt-list}, which hapcert always sends before it writes the line. Listing a crt-list of 10,000
     * entries costs a deploy hook more time than everything else it asks HAProxy. What this takes on trust is a line
     * added to the file by hand, without a reload, for a certificate that another bind line already uses.
     */
    static boolean runtimeCrtListHas(RuntimeApiClient client, TargetConfig target, String certName,
                                     Optional<SslCertDetails> loaded, boolean inCrtListFile) throws HapcertException {
        if (inCrtListFile && loaded.isPresent() && loaded.get().status() == SslCertDetails.Status.USED) {
            return true;
        }
        return client.findCrtListEntry(target.crtList(), certName).isPresent();
    }

    private static ObservedState.Loaded loadedFrom(SslCertDetails d) {
        return new ObservedState.Loaded(d.serial().filter(s -> !s.isEmpty()), d.sha1Fingerprint().filter(s -> !s.isEmpty()),
                d.notBefore());
    }

    private void apply(DesiredCertificate certificate, byte[] pem, String certName, Path bundlePath, PlanStep.Work work)
            throws HapcertException {
        Bundle bundle = certificate.bundle();
        // A file that cannot be written must fail the deploy before HAProxy changes: once committed, a certificate
        // whose crt-list line never reaches the disk is served now and forgotten by the next restart.
        if (work.writeBundle()) {
            AtomicFileWriter.checkWritable(bundlePath);
        }
        if (work.writeCrtListFile()) {
            AtomicFileWriter.checkWritable(crtListOnHost);
            if (!Files.exists(crtListOnHost, LinkOption.NOFOLLOW_LINKS)) {
                // Refuses now, not after the commit, if HAProxy has entries from a file that is gone (see crtListFile);
                // the single-certificate path reads the file only here, and only when it is missing.
                crtListFile();
            }
        }
        String line = CrtListFile.formatLine(certName, target.sslOptions(), List.of());
        if (work.loadInRuntime()) {
            byte[] previousFile = work.writeBundle() ? AtomicFileWriter.currentContent(bundlePath) : null;
            boolean created = false;
            boolean fileWritten = false;
            // Where each exchange is an exec (~150 ms), the change goes in two: what loads the bundle, then, once
            // HAProxy took it and the file is written, the commit, the crt-list entry and the verification's look.
            boolean inTwoExchanges = !client.streams();
            try {
                if (inTwoExchanges) {
                    sendLoadAhead(certName, bundle, pem, work);
                }
                if (work.createInRuntime()) {
                    client.newSslCert(certName);
                    created = true;
                }
                sendBundle(certName, bundle, pem);
                CrashPoint.reached("after-set-ssl-cert");
                if (work.writeBundle()) {
                    AtomicFileWriter.write(bundlePath, pem, target.files());
                    fileWritten = true;
                }
                if (inTwoExchanges) {
                    sendCommitAhead(certName, line, work);
                }
                client.commitSslCert(certName);
                CrashPoint.reached("after-commit");
            } catch (HapcertException | RuntimeException e) {
                undo(certName, bundlePath, previousFile, created, fileWritten);
                throw e;
            }
        } else if (work.writeBundle()) {
            AtomicFileWriter.write(bundlePath, pem, target.files());
        }
        if (work.addRuntimeCrtListEntry()) {
            client.addCrtListEntry(target.crtList(), line);
            if (runtimeCrtList != null) {
                runtimeCrtList.add(certName);
            }
        }
        if (work.writeCrtListFile()) {
            unappliedLines.put(certName, line);
            pendingCrtListLines.add(certName);
        }
    }

    /** The first of the two exchanges: {@code new ssl cert} for a new store, and the {@code set ssl cert} payloads. */
    private void sendLoadAhead(String certName, Bundle bundle, byte[] pem, PlanStep.Work work) throws HapcertException {
        List<Command> load = new ArrayList<>();
        if (work.createInRuntime()) {
            load.add(Command.of("new", "ssl", "cert", certName));
        }
        load.addAll(BundlePayloads.setCommands(certName, bundle, form, pem, target.payloadLimit()));
        client.sendAhead(load);
    }

    /**
     * The second exchange: the commit, the running crt-list entry and the verification's look. Safe to send together:
     * a failed commit leaves an empty or the old store, and HAProxy refuses to add an empty store to a crt-list. The
     * exec connects after the file was written, so a reload since then loads the new file: the look on this
     * connection is as good as the one on a new connection that {@link #verify} opens on a socket.
     */
    private void sendCommitAhead(String certName, String line, PlanStep.Work work) throws HapcertException {
        List<Command> commit = new ArrayList<>();
        commit.add(Command.of("commit", "ssl", "cert", certName));
        if (work.addRuntimeCrtListEntry()) {
            commit.add(Command.withPayload(line, "add", "ssl", "crt-list", target.crtList()));
        }
        commit.add(Command.of("show", "ssl", "cert", certName));
        client.sendAhead(commit);
    }

    /**
     * Writes the crt-list file once for every line added since the last flush. Deferred so that a sync of thousands
     * of certificates rewrites the file once, not once per certificate; safe because the file only ever gains lines
     * for certificates HAProxy has already committed, and a crash before the flush leaves lines a rerun adds.
     *
     * @return the certificates whose line was written
     */
    List<String> flush() throws HapcertException {
        // Reached whether or not a line is pending, so the crash tests can stop every deploy at this step.
        CrashPoint.reached("before-crt-list-update");
        if (pendingCrtListLines.isEmpty()) {
            return List.of();
        }
        writeCrtListFile();
        List<String> written = List.copyOf(pendingCrtListLines);
        pendingCrtListLines.clear();
        return written;
    }

    List<String> pendingCrtListLines() {
        return List.copyOf(pendingCrtListLines);
    }

    private void writeCrtListFile() throws HapcertException {
        AtomicFileWriter.write(crtListOnHost,
                currentCrtListFile().render().getBytes(java.nio.charset.StandardCharsets.UTF_8), target.files());
    }

    /** The crt-list file as read, with every line added since. */
    private CrtListFile currentCrtListFile() throws HapcertException {
        if (!unappliedLines.isEmpty()) {
            crtListFile = crtListFile().withEntries(List.copyOf(unappliedLines.values()));
            unappliedLines.clear();
        }
        return crtListFile();
    }

    private Set<String> runtimeCrtList() throws HapcertException {
        if (runtimeCrtList == null) {
            runtimeCrtList = new HashSet<>();
            client.showCrtList(target.crtList()).forEach(e -> runtimeCrtList.add(e.certificate()));
        }
        return runtimeCrtList;
    }

    /**
     * HAProxy cannot start without its crt-list file, so if the file is gone while HAProxy holds entries from it,
     * it was removed behind HAProxy's back: rewriting it with our line alone would make the next restart drop every
     * other certificate. Checked while observing, before anything is changed.
     */
    private void requireCrtListFileUnlessUnused() throws HapcertException {
        if (!Files.exists(crtListOnHost, LinkOption.NOFOLLOW_LINKS) && !runtimeCrtList().isEmpty()) {
            throw new ConfigException("crt-list " + crtListOnHost + " does not exist, but HAProxy has "
                    + runtimeCrtList().size() + " entries loaded from it; hapcert will not recreate it with only its"
                    + " own line: restore the file (`show ssl crt-list -n " + target.crtList() + "` lists the entries)"
                    + " or correct the crt-list path (and paths mapping) in the configuration");
        }
    }

    private CrtListFile crtListFile() throws HapcertException {
        if (crtListFile == null) {
            requireCrtListFileUnlessUnused();
            crtListFile = CrtListFile.read(crtListOnHost);
        }
        return crtListFile;
    }

    /**
     * In 2.6 a command and its payload must fit in one buffer ({@code tune.bufsize}); past it HAProxy drops the
     * connection without a word. A larger bundle goes as two payloads in the same transaction: the certificates
     * under the name, then the key under {@code <name>.key}.
     */
    private void sendBundle(String certName, Bundle bundle, byte[] pem) throws HapcertException {
        if (BundlePayloads.keyApart(certName, bundle, form, pem, target.payloadLimit())) {
            client.setSslCert(certName, form.certificatesPem(bundle));
            client.setSslCertKey(certName, bundle.keyPem());
        } else {
            client.setSslCert(certName, BundlePayloads.whole(pem));
        }
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

    /**
     * Checks on a NEW connection: one opened before a reload stays with the old worker, which takes the commit and
     * reports success while the new worker, started from the files, serves what they held before. Where every exchange
     * is a connection of its own (an exec), the look went with the commit, on a connection opened after the file was
     * written (see apply).
     */
    private void verify(DesiredCertificate certificate, String certName) throws HapcertException {
        if (client.streams()) {
            try (RuntimeApiClient now = client.reconnect()) {
                verifyLoaded(now, certificate.bundle(), certName);
            }
        } else {
            verifyLoaded(client, certificate.bundle(), certName);
        }
        verifyServed(certificate.bundle());
    }

    private void verifyLoaded(RuntimeApiClient now, Bundle bundle, String certName) throws HapcertException {
        String rerun = " (was HAProxy reloaded or restarted during the deploy? run the same deploy again)";
        SslCertDetails loaded = now.showSslCert(certName).orElseThrow(() -> new VerificationException(
                "after the commit HAProxy does not list " + certName + rerun));
        if (!loadedFrom(loaded).matches(bundle)) {
            throw new VerificationException("HAProxy reports serial " + loaded.serial().orElse("(none)") + " for "
                    + certName + " after the commit, expected " + bundle.serialHex() + rerun);
        }
        if (loaded.status() != SslCertDetails.Status.USED) {
            throw new VerificationException("HAProxy loaded " + certName + " but no crt-list uses it (status "
                    + loaded.status() + "); check that " + target.crtList() + " is the crt-list of a bind line" + rerun);
        }
    }

    /** With {@code --verify-tls}: a handshake per name must present exactly this leaf. */
    private void verifyServed(Bundle bundle) throws VerificationException {
        if (options.verifyTls().isPresent()) {
            TlsVerification.check(options.verifyTls().get(), TlsVerification.Expected.of(bundle));
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
