package dev.hapcert.source;

import dev.hapcert.error.HapcertException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where desired certificates come from: one certbot lineage (the deploy hook), explicit files, an ACME client's hook
 * environment or arguments, or a client's whole store (certbot config dir, acme.sh home, lego path, dehydrated base
 * dir, a directory of bundles). Every certificate is read and validated before anything is deployed for it, so a bad
 * bundle fails before HAProxy or the disk is touched for it.
 *
 * <p>Three ways to read, for three kinds of caller:
 * <ul>
 *   <li>{@link #load()} is all-or-nothing: the deploy hook wants exactly the certificate it was called for, and any
 *       problem is a failure of the whole run.</li>
 *   <li>{@link #loadEach()} reports per certificate: {@code sync}, {@code status} and {@code doctor} read whole stores
 *       and must deploy or show every good certificate even when another one is broken. It throws only when the
 *       store as a whole cannot be read (missing or unreadable directory).</li>
 *   <li>{@link #list()} is {@code loadEach()} in two steps, for {@code sync}, which deploys each batch while the next
 *       is still being read ({@link CertificateFeed}).</li>
 * </ul>
 * Sources of one certificate get {@code loadEach()} for free; stores implement {@code loadEach()} and derive
 * {@code load()} from it with {@link SourceItem#requireAll}.
 */
public interface CertificateSource {
    /** Reads, parses and validates the certificates; throws on any unusable one with a specific message. */
    List<DesiredCertificate> load() throws HapcertException;

    /**
     * For a source of one certificate, its name when that is known without reading anything (a certbot lineage's
     * directory, an ACME client's domain, {@code --name}): the deploy hook then starts on its target while the
     * bundle is read. Empty otherwise, and when the name is not a safe one, which {@link #load()} then reports.
     */
    default Optional<String> knownName() {
        return Optional.empty();
    }

    /**
     * Reads every certificate independently: one {@link SourceItem} per entry, in a stable order (by name).
     *
     * @throws HapcertException only when the source as a whole is unusable, e.g. its directory does not exist
     */
    default List<SourceItem> loadEach() throws HapcertException {
        try {
            return load().stream().<SourceItem>map(SourceItem.Loaded::new).toList();
        } catch (HapcertException e) {
            return List.of(new SourceItem.Failed(describe(), describe(), e));
        }
    }

    /**
     * Reads in two steps, for a caller that deploys while the rest is still being read ({@link CertificateFeed}):
     * this checks that the source as a whole is usable and finds its entries, and the returned {@link Listing}
     * then reads them one by one. Problems of the source as a whole are thrown here, before any entry is read.
     */
    default Listing list() throws HapcertException {
        List<SourceItem> items = loadEach();
        return sink -> items.forEach(sink);
    }

    /** The entries of a source, found; {@link #readEach} reads them in {@link #loadEach()}'s order. */
    @FunctionalInterface
    interface Listing {
        /**
         * Reads each entry and hands its item to {@code sink}; an entry's failure is its item, never thrown. A listing
         * is read once; {@link CertificateSource#list()} again for another read.
         */
        void readEach(Consumer<SourceItem> sink);
    }

    /** A short human description for reports, e.g. "certbot lineage /etc/letsencrypt/live/shop.example.com". */
    String describe();
}
