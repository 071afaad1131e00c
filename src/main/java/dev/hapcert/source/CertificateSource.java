package dev.hapcert.source;

import dev.hapcert.error.HapcertException;
import java.util.List;

/**
 * Where desired certificates come from: one certbot lineage (the deploy hook), explicit files, and later whole
 * certbot/acme.sh/lego/dehydrated stores. A source reads and validates everything before anything is deployed,
 * so a bad bundle fails before HAProxy or the disk is touched.
 */
public interface CertificateSource {
    /** Reads, parses and validates the certificates; throws on the first unusable one with a specific message. */
    List<DesiredCertificate> load() throws HapcertException;

    /** A short human description for reports, e.g. "certbot lineage /etc/letsencrypt/live/shop.example.com". */
    String describe();
}
