package dev.hapcert.deploy;

import dev.hapcert.config.ReloadConfig;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.error.VerificationException;
import dev.hapcert.haproxy.ReplyScrubber;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.source.CertificateFeed;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.store.AtomicFileWriter;
import dev.hapcert.store.CrtListFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The last resort when a target's Runtime API cannot be reached and its configuration allows a reload: write the
 * files, let {@code haproxy -c} check the whole configuration with them, and only then reload. If the check fails,
 * the previous files are put back, so a later restart still starts.
 */
final class ReloadFallback {
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    private final TargetConfig target;
    private final DeployOptions options;
    private final Consumer<String> notices;
    private final Optional<TargetConnector.EngineReload> engineReload;
    /** How long new workers get to serve after a reload, before 2 ms per certificate more ({@link #verifyServed}). */
    private final Duration settle;

    /** @param engineReload for a container target: the check and reload through the engine ({@code method: container}) */
    ReloadFallback(TargetConfig target, DeployOptions options, Consumer<String> notices,
                   Optional<TargetConnector.EngineReload> engineReload) {
        this(target, options, notices, engineReload, Duration.ofSeconds(15));
    }

    /** With another settling time, so that a test of a check that never passes does not wait 15 s. */
    ReloadFallback(TargetConfig target, DeployOptions options, Consumer<String> notices,
                   Optional<TargetConnector.EngineReload> engineReload, Duration settle) {
        this.settle = settle;
        this.target = target;
        this.options = options;
        this.notices = notices;
        this.engineReload = engineReload;
    }

    /** What is kept of a certificate once its file is written: its name, serial and, for a TLS check, its names. */
    private record Written(String certName, String serialHex, List<String> dnsNames, String sha1Fingerprint) {
        TlsVerification.Expected expected() {
            return new TlsVerification.Expected(dnsNames, serialHex, sha1Fingerprint);
        }
    }

    /**
     * Walks the feed once, writing each bundle as it comes and keeping only {@link Written} of it, so that a store of
     * tens of thousands fits the heap; the files it replaces are kept to put back if the check fails.
     */
    List<CertificateResult> deploy(CertificateFeed certificates) {
        long started = System.nanoTime();
        Map<Path, byte[]> previous = new LinkedHashMap<>();
        List<Written> written = new ArrayList<>();
        try {
            ReloadConfig reload = target.reload().orElseThrow();
            boolean inContainer = reload.method() == ReloadConfig.Method.CONTAINER;
            if (inContainer && engineReload.isEmpty()) {
                throw new ConfigException(target.name() + ": reload method container needs a docker target");
            }
            // In a container, `haproxy -c` runs there, on the configuration HAProxy was started with.
            Path haproxyConfig = inContainer ? null : target.haproxyConfig().orElseThrow(() -> new ConfigException(target.name()
                    + ": the reload fallback needs haproxy-config, so that `haproxy -c` can check the files first"));
            Path crtList = target.paths().toHost(target.crtList());
            CrtListFile list = CrtListFile.read(crtList);
            boolean changed = false;
            BundleForm form = BundleForm.forStartingHaproxy(target, notices);
            List<String> lines = new ArrayList<>();
            CertificateFeed.Cursor walk = certificates.cursor();
            for (DesiredCertificate c = walk.next(); c != null; c = walk.next()) {
                String certName = TargetSession.certName(target, c);
                boolean verifying = options.verifyTls().isPresent();
                written.add(new Written(certName, c.bundle().serialHex(), verifying ? c.bundle().dnsNames() : List.of(),
                        verifying ? c.bundle().sha1Fingerprint() : null));
                Path bundlePath = target.paths().toHost(certName);
                byte[] bytes = form.pem(c.bundle());
                byte[] old = AtomicFileWriter.currentContent(bundlePath);
                if (old == null || !java.util.Arrays.equals(old, bytes)) {
                    previous.put(bundlePath, old);
                    AtomicFileWriter.write(bundlePath, bytes, target.files());
                    changed = true;
                }
                lines.add(CrtListFile.formatLine(certName, target.sslOptions(), List.of()));
            }
            // All lines at once: one entry at a time copied the whole list for each, quadratic in a large store.
            list = list.withEntries(lines);
            String rendered = list.render();
            byte[] oldList = AtomicFileWriter.currentContent(crtList);
            if (oldList == null || !new String(oldList, StandardCharsets.UTF_8).equals(rendered)) {
                previous.put(crtList, oldList);
                AtomicFileWriter.write(crtList, rendered.getBytes(StandardCharsets.UTF_8), target.files());
                changed = true;
            }
            if (!changed) {
                return results(written, Outcome.UNCHANGED, "files already in place; Runtime API unreachable", started);
            }
            if (inContainer) {
                String how = engineReload.get().checkAndReload(Duration.ofSeconds(COMMAND_TIMEOUT_SECONDS));
                notices.accept(target.name() + ": " + how);
                return verified(written, "Runtime API unreachable: files written, " + how, started);
            }
            check(reload, haproxyConfig);
            reload(reload);
            return verified(written, "Runtime API unreachable: files written, `haproxy -c` passed, HAProxy reloaded ("
                    + reload.method().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")", started);
        } catch (HapcertException e) {
            restore(previous);
            // Every certificate of the feed fails, also those the walk had not reached when it stopped.
            List<CertificateResult> failed = new ArrayList<>();
            for (CertificateFeed.Summary c : certificates.summaries()) {
                failed.add(new CertificateResult(target.name(), TargetSession.certName(target, c.name()),
                        Outcome.forFailure(e.exitCode()), null, c.serialHex(), e.getMessage(), elapsed(started)));
            }
            return failed;
        }
    }

    /**
     * The results once HAProxy has reloaded: the files are what it now runs on, and what a restart loads, so a
     * failed {@code --verify-tls} check is reported and the files stay (putting the previous ones back would leave
     * the disk behind the running HAProxy, and a new certificate's crt-list line gone while it is served).
     */
    private List<CertificateResult> verified(List<Written> written, String done, long started) {
        Map<String, VerificationException> failures = verifyServed(written);
        List<CertificateResult> out = new ArrayList<>();
        for (CertificateResult r : results(written, Outcome.RELOADED, done, started)) {
            VerificationException e = failures.get(r.certificate());
            out.add(e == null ? r : new CertificateResult(r.target(), r.certificate(), Outcome.forFailure(e.exitCode()),
                    r.previousSerial(), r.serial(), done + "; not verified: after the reload " + e.getMessage(), r.millis()));
        }
        return out;
    }

    private void check(ReloadConfig reload, Path haproxyConfig) throws HapcertException {
        Result r = run(List.of(reload.haproxyBinary().toString(), "-c", "-f", haproxyConfig.toString()));
        if (r.exitCode != 0) {
            throw new HaproxyRefusedException("`haproxy -c -f " + haproxyConfig + "` rejects the configuration with the new "
                    + "files, so nothing was reloaded and the previous files were put back: " + ReplyScrubber.scrub(r.output).trim());
        }
    }

    private void reload(ReloadConfig reload) throws HapcertException {
        switch (reload.method()) {
            case MASTER_CLI -> {
                String socket = reload.masterSocket().orElseThrow(() -> new ConfigException(target.name()
                        + ": reload method master-cli needs master-socket"));
                try (RuntimeApiClient master = RuntimeApiClient.open(RuntimeApiAddress.parse(socket).asMasterCli())) {
                    master.reloadMaster();
                }
            }
            case COMMAND -> {
                String command = reload.command().orElseThrow(() -> new ConfigException(target.name()
                        + ": reload method command needs command"));
                Result r = run(List.of("/bin/sh", "-c", command));
                if (r.exitCode != 0) {
                    throw new HaproxyRefusedException("reload command `" + command + "` failed (exit " + r.exitCode + "): "
                            + ReplyScrubber.scrub(r.output).trim());
                }
            }
            case CONTAINER -> throw new ConfigException(target.name() + ": reload method container needs a docker target");
            case SIGNAL -> {
                Path pidFile = reload.pidFile().orElseThrow(() -> new ConfigException(target.name()
                        + ": reload method signal needs pid-file"));
                String pid;
                try {
                    pid = Files.readString(pidFile, StandardCharsets.US_ASCII).trim().split("\\s+")[0];
                } catch (IOException e) {
                    throw new HaproxyUnreachableException("cannot read HAProxy's pid file " + pidFile + ": " + e.getMessage(), e);
                }
                if (!pid.matches("[0-9]+")) {
                    throw new HaproxyUnreachableException("pid file " + pidFile + " holds no process id");
                }
                // SIGUSR2 makes a master-worker HAProxy re-read its configuration and start new workers.
                Result r = run(List.of("kill", "-USR2", pid));
                if (r.exitCode != 0) {
                    throw new HaproxyUnreachableException("cannot signal HAProxy (pid " + pid + "): " + r.output.trim());
                }
            }
        }
        notices.accept(target.name() + ": HAProxy reloaded");
    }

    /**
     * New workers need a moment to start after a reload (parsing every certificate: about 7 s for 10,000 here), so
     * with {@code --verify-tls} the first certificate is polled until it is served, then all are checked at once
     * ({@link TlsVerification}), and those not served yet again every 100 ms, until {@link #settle} plus 2 ms per
     * certificate have passed since the reload.
     *
     * @return each certificate not served as written, with why; empty when all are (or nothing is checked)
     */
    private Map<String, VerificationException> verifyServed(List<Written> certificates) {
        Map<String, VerificationException> failures = new LinkedHashMap<>();
        if (options.verifyTls().isEmpty() || certificates.isEmpty()) {
            return failures;
        }
        DeployOptions.TlsEndpoint endpoint = options.verifyTls().get();
        long deadline = System.nanoTime() + settle.toNanos() + TimeUnit.MILLISECONDS.toNanos(2L * certificates.size());
        List<Written> pending = certificates.subList(0, 1);
        boolean all = certificates.size() == 1;
        while (true) {
            boolean late = System.nanoTime() > deadline;
            if (late && !all) {
                // The first never came: each certificate's own answer, once.
                pending = certificates;
                all = true;
            }
            List<Optional<VerificationException>> outcomes = TlsVerification.checkAll(endpoint,
                    pending.stream().map(Written::expected).toList());
            List<Written> notYet = new ArrayList<>();
            failures.clear();
            for (int i = 0; i < pending.size(); i++) {
                if (outcomes.get(i).isPresent()) {
                    notYet.add(pending.get(i));
                    failures.put(pending.get(i).certName(), outcomes.get(i).get());
                }
            }
            if (notYet.isEmpty() && !all) {
                // The new workers serve: now every certificate (the first again, as one handshake of many).
                pending = certificates;
                all = true;
                continue;
            }
            if (notYet.isEmpty() || late) {
                return failures;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failures;
            }
            pending = notYet;
        }
    }

    private void restore(Map<Path, byte[]> previous) {
        for (Map.Entry<Path, byte[]> e : previous.entrySet()) {
            try {
                if (e.getValue() == null) {
                    Files.deleteIfExists(e.getKey());
                } else {
                    AtomicFileWriter.write(e.getKey(), e.getValue(), target.files());
                }
            } catch (HapcertException | IOException | RuntimeException failure) {
                notices.accept(target.name() + ": could not restore " + e.getKey() + ": " + failure.getMessage());
            }
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws HapcertException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new HaproxyUnreachableException("`" + String.join(" ", command) + "` did not finish within "
                        + COMMAND_TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException("cannot run `" + command.get(0) + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaproxyUnreachableException("interrupted while running `" + command.get(0) + "`", e);
        }
    }

    private List<CertificateResult> results(List<Written> certificates, Outcome outcome, String detail, long started) {
        List<CertificateResult> out = new ArrayList<>();
        for (Written c : certificates) {
            out.add(new CertificateResult(target.name(), c.certName(), outcome, null, c.serialHex(), detail,
                    elapsed(started)));
        }
        return out;
    }

    private static long elapsed(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
