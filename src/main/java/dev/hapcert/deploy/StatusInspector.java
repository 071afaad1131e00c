package dev.hapcert.deploy;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.cert.HaproxyCertFormat;
import dev.hapcert.cert.IssuerChains;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import dev.hapcert.haproxy.CrtListEntry;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.SslCertDetails;
import dev.hapcert.haproxy.SslCertListing;
import dev.hapcert.source.CertificateFeed;
import dev.hapcert.store.OwnershipFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Observe only: for every target, what the source, the disk and HAProxy hold for each certificate hapcert knows of
 * (the source's, the ones hapcert deployed, and every one the target's crt-list names), and what needs attention.
 * Never changes anything, so it takes no lock.
 */
public final class StatusInspector {
    private final Duration warnWithin;
    private final Instant now;

    public StatusInspector(Duration warnWithin, Instant now) {
        this.warnWithin = warnWithin;
        this.now = now;
    }

    /** Each target's status, in the order given; the targets are looked at side by side ({@link AtOnce}). */
    public List<TargetStatus> inspect(List<CertificateFeed.Summary> source, boolean haveSource, List<TargetConfig> targets) {
        return AtOnce.each(targets, target -> inspect(source, haveSource, target));
    }

    private TargetStatus inspect(List<CertificateFeed.Summary> source, boolean haveSource, TargetConfig configured) {
        try (TargetConnector.Resolved resolved = TargetConnector.resolve(configured, List.of(), notice -> { })) {
            TargetConfig target = resolved.target();
            RuntimeApiClient client = resolved.client();
            Map<String, CertificateFeed.Summary> bySourceName = new LinkedHashMap<>();
            source.forEach(c -> bySourceName.put(TargetSession.certName(target, c.name()), c));
            Set<String> names = new LinkedHashSet<>(bySourceName.keySet());
            names.addAll(OwnershipFile.read(target.paths().toHost(target.certDir())).names());
            for (CrtListEntry e : client.showCrtList(target.crtList())) {
                names.add(e.certificate());
            }
            SslCertListing listing = client.showSslCerts();
            List<String> unused = new ArrayList<>();
            List<CertificateStatus> certificates = new ArrayList<>();
            IssuerChains afterRestart = issuersAfterRestart(target);
            for (String name : names) {
                certificates.add(inspectOne(client, target, name, bySourceName.get(name), haveSource, afterRestart));
            }
            for (String loaded : listing.certificates()) {
                Optional<SslCertDetails> d = names.contains(loaded) ? Optional.empty() : client.showSslCert(loaded);
                if (d.isPresent() && d.get().status() == SslCertDetails.Status.UNUSED) {
                    unused.add(loaded);
                }
            }
            return new TargetStatus(target.name(), null, listing.transactions(), unused, certificates);
        } catch (HapcertException e) {
            return new TargetStatus(configured.name(), e.getMessage(), List.of(), List.of(), List.of());
        }
    }

    /**
     * The issuer files a restarted HAProxy would read from the target's {@code issuers-chain-path}, or null when it
     * has none. A directory that cannot be read counts as empty: HAProxy would not complete any chain from it.
     */
    private static IssuerChains issuersAfterRestart(TargetConfig target) {
        if (target.issuersChainPath().isEmpty()) {
            return null;
        }
        try {
            return IssuerChains.load(target.paths().toHost(target.issuersChainPath().get()), Instant.MAX);
        } catch (HapcertException e) {
            return IssuerChains.NONE;
        }
    }

    private CertificateStatus inspectOne(RuntimeApiClient client, TargetConfig target, String name, CertificateFeed.Summary desired,
                                         boolean haveSource, IssuerChains afterRestart) throws HapcertException {
        List<String> problems = new ArrayList<>();
        Optional<SslCertDetails> loaded = client.showSslCert(name);
        String loadedSerial = loaded.flatMap(SslCertDetails::serial).orElse(null);
        List<X509Certificate> diskCertificates = readDiskCertificates(target.paths().toHost(name), problems);
        X509Certificate onDisk = diskCertificates.isEmpty() ? null : diskCertificates.get(0);
        String diskSerial = onDisk == null ? null : HaproxyCertFormat.serial(onDisk);
        String sourceSerial = desired == null ? null : desired.serialHex();

        Instant notAfter = loaded.flatMap(SslCertDetails::notAfter)
                .orElse(onDisk == null ? null : onDisk.getNotAfter().toInstant());
        Long daysLeft = null;
        if (notAfter != null) {
            daysLeft = Math.floorDiv(Duration.between(now, notAfter).toSeconds(), 86_400L);
            if (notAfter.isBefore(now)) {
                problems.add("expired on " + notAfter);
            } else if (notAfter.isBefore(now.plus(warnWithin))) {
                problems.add("expires in " + daysLeft + " days");
            }
        }
        if (loadedSerial == null) {
            problems.add("not loaded in HAProxy");
        } else if (loaded.get().status() == SslCertDetails.Status.UNUSED) {
            problems.add("loaded but used by no crt-list");
        }
        if (loadedSerial != null && diskSerial != null && !loadedSerial.equalsIgnoreCase(diskSerial)) {
            problems.add("loaded differs from disk (a restart would change what is served)");
        }
        if (diskSerial == null && loadedSerial != null) {
            problems.add("no bundle file on disk (lost at the next restart)");
        }
        if (sourceSerial != null && !sourceSerial.equalsIgnoreCase(diskSerial == null ? "" : diskSerial)) {
            problems.add("source has a different certificate (run sync)");
        }
        if (afterRestart != null && afterRestart.lacksIssuerFor(diskCertificates)) {
            problems.add("bundle file without its chain, and no issuer file for its CA in issuers-chain-path: a restart"
                    + " would serve it without intermediates (run sync)");
        }
        if (haveSource && desired == null && onDiskOwned(target, name)) {
            problems.add("no longer in the source (sync --prune removes it)");
        }
        return new CertificateStatus(target.name(), name, sourceSerial, diskSerial, loadedSerial, notAfter, daysLeft, problems);
    }

    private static boolean onDiskOwned(TargetConfig target, String name) {
        try {
            return OwnershipFile.read(target.paths().toHost(target.certDir())).owns(name);
        } catch (HapcertException e) {
            return false;
        }
    }

    /** The certificates of a bundle file, leaf first; only certificate blocks are decoded, the key is never parsed. */
    private static List<X509Certificate> readDiskCertificates(Path path, List<String> problems) {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try {
            List<X509Certificate> certificates = BundleReader.certificates(path);
            if (certificates.isEmpty()) {
                problems.add("bundle file " + path + " holds no certificate");
            }
            return certificates;
        } catch (HapcertException e) {
            problems.add("bundle file unreadable: " + e.getMessage());
            return List.of();
        }
    }
}
