package dev.hapcert.source;

import dev.hapcert.error.HapcertException;
import dev.hapcert.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of reading one certificate from a source that holds many (a certbot config dir, an acme.sh home, a
 * lego path, a dehydrated base dir, a directory of bundles). {@code sync} and {@code status} deploy or report every
 * {@link Loaded} item and report the others, so one broken lineage never blocks the rest.
 */
public sealed interface SourceItem permits SourceItem.Loaded, SourceItem.Failed, SourceItem.Skipped {

    /** The name the item is (or would be) known by; for unusable names, a printable form of the raw entry. */
    String name();

    /** A certificate that parsed and validated. */
    record Loaded(DesiredCertificate certificate) implements SourceItem {
        public Loaded {
            Objects.requireNonNull(certificate, "certificate");
        }

        @Override
        public String name() {
            return certificate.name();
        }
    }

    /**
     * An entry that looks like a certificate of the client's but cannot be used: unreadable, unparsable, expired,
     * mismatched key, unsafe name. {@code error}'s message says what to fix; it never holds key material.
     */
    record Failed(String name, String origin, HapcertException error) implements SourceItem {
        public Failed {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * An entry that is deliberately not a certificate to serve, e.g. a certbot {@code live/} directory without a
     * renewal configuration (certbot no longer manages it) or an acme.sh domain whose first issuance never finished.
     * Reported, but not an error.
     */
    record Skipped(String name, String origin, String reason) implements SourceItem {
        public Skipped {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(origin, "origin");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * All loaded certificates, or a failure when any item failed: the only failure itself (keeping its kind), or
     * one {@link InvalidInputException} naming every failed item. Skipped items are left out.
     */
    static List<DesiredCertificate> requireAll(List<SourceItem> items, String sourceDescription) throws HapcertException {
        List<DesiredCertificate> loaded = new ArrayList<>();
        List<Failed> failed = new ArrayList<>();
        for (SourceItem item : items) {
            // Java 17: no pattern switch yet; Skipped items are neither loaded nor failed.
            if (item instanceof Loaded l) {
                loaded.add(l.certificate());
            } else if (item instanceof Failed f) {
                failed.add(f);
            }
        }
        if (failed.size() == 1) {
            throw failed.get(0).error();
        }
        if (!failed.isEmpty()) {
            StringBuilder message = new StringBuilder().append(failed.size()).append(" of ").append(items.size())
                    .append(" certificates in ").append(sourceDescription).append(" are unusable:");
            for (Failed f : failed) {
                message.append("\n  ").append(f.name()).append(": ").append(f.error().getMessage());
            }
            throw new InvalidInputException(message.toString(), failed.get(0).error());
        }
        return List.copyOf(loaded);
    }
}
