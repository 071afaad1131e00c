package dev.hapcert.deploy;

import dev.hapcert.cert.HaproxyCertFormat;
import dev.hapcert.cert.PemBlock;
import dev.hapcert.cert.PemReader;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import dev.hapcert.haproxy.CrtListEntry;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.SslCertDetails;
import dev.hapcert.haproxy.SslCertListing;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.store.OwnershipFile;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
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

    public List<TargetStatus> inspect(List<DesiredCertificate> source, boolean haveSource, List<TargetConfig> targets) {
        List<TargetStatus> out = new ArrayList<>();
        for (TargetConfig target : targets) {
            out.add(inspect(source, haveSource, target));
        }
        return out;
    }

    private TargetStatus inspect(List<DesiredCertificate> source, boolean haveSource, TargetConfig configured) {
        try (TargetConnector.Resolved resolved = TargetConnector.resolve(configured, List.of(), notice -> { })) {
            TargetConfig target = resolved.target();
            RuntimeApiClient client = resolved.client();
            Map<String, DesiredCertificate> bySourceName = new LinkedHashMap<>();
            source.forEach(c -> bySourceName.put(TargetSession.certName(target, c), c));
            Set<String> names = new LinkedHashSet<>(bySourceName.keySet());
            names.addAll(OwnershipFile.read(target.paths().toHost(target.certDir())).names());
            for (CrtListEntry e : client.showCrtList(target.crtList())) {
                names.add(e.certificate());
            }
            SslCertListing listing = client.showSslCerts();
            List<String> unused = new ArrayList<>();
            List<CertificateStatus> certificates = new ArrayList<>();
            for (String name : names) {
                certificates.add(inspectOne(client, target, name, bySourceName.get(name), haveSource));
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

    private CertificateStatus inspectOne(RuntimeApiClient client, TargetConfig target, String name, DesiredCertificate desired,
                                         boolean haveSource) throws HapcertException {
        List<String> problems = new ArrayList<>();
        Optional<SslCertDetails> loaded = client.showSslCert(name);
        String loadedSerial = loaded.flatMap(SslCertDetails::serial).orElse(null);
        X509Certificate onDisk = readDiskLeaf(target.paths().toHost(name), problems);
        String diskSerial = onDisk == null ? null : HaproxyCertFormat.serial(onDisk);
        String sourceSerial = desired == null ? null : desired.bundle().serialHex();

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

    /** The leaf of a bundle file; only certificate blocks are decoded, the key is never parsed here. */
    private static X509Certificate readDiskLeaf(Path path, List<String> problems) {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            for (PemBlock block : PemReader.read(path)) {
                if (block.label().equals("CERTIFICATE")) {
                    return (X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(block.der()));
                }
            }
            problems.add("bundle file " + path + " holds no certificate");
        } catch (HapcertException | GeneralSecurityException e) {
            problems.add("bundle file unreadable: " + e.getMessage());
        }
        return null;
    }
}
