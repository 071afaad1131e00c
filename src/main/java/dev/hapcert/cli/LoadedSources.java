package dev.hapcert.cli;

import dev.hapcert.deploy.CertificateResult;
import dev.hapcert.deploy.Outcome;
import dev.hapcert.error.HapcertException;
import dev.hapcert.source.CertificateSource;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.source.SourceItem;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything read from one or more whole stores: the certificates to deploy, the names to keep although they did not
 * load this time (a broken or skipped entry is not a deleted one, so prune must leave it), and a report line per
 * unusable entry. Skipped entries are mentioned on stderr.
 */
record LoadedSources(List<DesiredCertificate> certificates, Set<String> keep, List<CertificateResult> failures) {

    static LoadedSources load(List<CertificateSource> sources, PrintWriter err) throws HapcertException {
        List<DesiredCertificate> certificates = new ArrayList<>();
        List<SourceItem> notLoaded = new ArrayList<>();
        for (CertificateSource source : sources) {
            for (SourceItem item : source.loadEach()) {
                if (item instanceof SourceItem.Loaded loaded) {
                    certificates.add(loaded.certificate());
                } else {
                    notLoaded.add(item);
                }
            }
        }
        Set<String> keep = new HashSet<>();
        notLoaded.forEach(item -> keep.add(item.name()));
        return new LoadedSources(List.copyOf(certificates), Set.copyOf(keep), report(notLoaded, err));
    }

    /** A result line per entry that failed to load; skipped entries are mentioned on {@code err} instead. */
    static List<CertificateResult> report(List<SourceItem> notLoaded, PrintWriter err) {
        List<CertificateResult> failures = new ArrayList<>();
        for (SourceItem item : notLoaded) {
            if (item instanceof SourceItem.Failed failed) {
                failures.add(new CertificateResult("-", failed.name(), Outcome.INVALID, null, null,
                        failed.error().getMessage(), 0));
            } else if (item instanceof SourceItem.Skipped skipped) {
                err.println("hapcert: skipped " + skipped.name() + ": " + skipped.reason());
            }
        }
        return List.copyOf(failures);
    }
}
