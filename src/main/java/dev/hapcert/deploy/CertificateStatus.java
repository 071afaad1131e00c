package dev.hapcert.deploy;

import java.time.Instant;
import java.util.List;

/**
 * One certificate on one target as {@code hapcert status} sees it: the serial in the source, on disk and loaded
 * in HAProxy, when the served one expires, and what needs attention.
 *
 * @param sourceSerial serial of the source's certificate, or null when the source does not have it (or none was given)
 * @param diskSerial serial of the bundle file on disk, or null when there is none
 * @param loadedSerial serial HAProxy serves under this name, or null when not loaded
 * @param notAfter expiry of the loaded certificate (else the disk one), or null
 * @param daysLeft whole days until {@code notAfter}, negative when expired
 * @param problems what needs attention ("expires in 3 days", "loaded differs from disk", ...); empty when fine
 */
public record CertificateStatus(String target, String certificate, String sourceSerial, String diskSerial, String loadedSerial,
                                Instant notAfter, Long daysLeft, List<String> problems) {
    public CertificateStatus {
        problems = List.copyOf(problems);
    }

    public boolean needsAttention() {
        return !problems.isEmpty();
    }
}
