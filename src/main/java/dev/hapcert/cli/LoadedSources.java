package dev.hapcert.cli;

import dev.hapcert.deploy.CertificateResult;
import dev.hapcert.deploy.Outcome;
import dev.hapcert.error.HapcertException;
import dev.hapcert.source.CertificateFeed;
import dev.hapcert.source.CertificateSource;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.source.SourceItem;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reading whole stores for the commands that look at them (status, issuers), and the report lines of the entries
 * that did not load. Skipped entries are mentioned on stderr.
 */
final class LoadedSources {
    private LoadedSources() {
    }

    /** What {@link #scan} keeps of whole stores: each loaded certificate's name and serial, and a line per failure. */
    record Scanned(List<CertificateFeed.Summary> certificates, List<CertificateResult> failures) {
    }

    /**
     * Reads whole stores one certificate at a time for the commands that look at them but deploy nothing, handing
     * each certificate to {@code each} and keeping only its name and serial: a store of 50,000 is never held parsed
     * (about 7 KB each), which the launcher's heap would not fit.
     */
    static Scanned scan(List<CertificateSource> sources, PrintWriter err, Consumer<DesiredCertificate> each)
            throws HapcertException {
        CertificateFeed feed = CertificateFeed.read(sources);
        CertificateFeed.Cursor walk = feed.cursor();
        for (DesiredCertificate c = walk.next(); c != null; c = walk.next()) {
            each.accept(c);
        }
        return new Scanned(feed.summaries(), report(feed.notLoaded(), err));
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
