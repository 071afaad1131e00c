package dev.hapcert.testkit;

import dev.hapcert.source.CertificateSource;
import dev.hapcert.source.DesiredCertificate;
import java.util.List;
import java.util.function.Supplier;

/** Certificate sources made up by a test: what they hand out and when is up to the test. */
public final class Sources {
    private Sources() {
    }

    /** A store whose entries {@code listing} reads, at the test's pace; only the streaming read is used. */
    public static CertificateSource listing(String description, CertificateSource.Listing listing) {
        return listings(description, () -> listing);
    }

    /**
     * A store listed anew by {@code each} at every {@link CertificateSource#list()}: what it holds is taken when it is
     * listed, as a directory's entries are, whichever thread then reads them first.
     */
    public static CertificateSource listings(String description, Supplier<CertificateSource.Listing> each) {
        return new CertificateSource() {
            @Override
            public List<DesiredCertificate> load() {
                throw new UnsupportedOperationException("read through list(), as a sync does");
            }

            @Override
            public Listing list() {
                return each.get();
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }
}
