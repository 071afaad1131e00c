package dev.hapcert.deploy;

import java.util.Objects;

/**
 * The result of one certificate on one target: one line of the report.
 *
 * @param target the target's name
 * @param certificate the certificate's name in HAProxy (its path as HAProxy sees it)
 * @param outcome how it ended
 * @param previousSerial the serial HAProxy served before, or null
 * @param serial the serial deployed (or planned), or null when nothing was parsed
 * @param detail what was done or why it failed, for people; never key material
 * @param millis time spent on this certificate and target
 */
public record CertificateResult(String target, String certificate, Outcome outcome, String previousSerial, String serial,
                                String detail, long millis) {
    public CertificateResult {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(outcome, "outcome");
        detail = detail == null ? "" : detail;
    }
}
