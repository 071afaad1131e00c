package dev.hapcert.doctor;

import java.util.Objects;

/**
 * One result of one check.
 *
 * @param check short id of the check, e.g. {@code runtime-api}
 * @param target the target it concerns, or {@code "-"} for checks of this host (config, certbot)
 * @param severity OK, WARN or FAIL
 * @param message what was found, in one sentence an operator understands
 * @param fix what to do about it; empty for OK, never empty otherwise
 */
public record Finding(String check, String target, Severity severity, String message, String fix) {
    /** The target column of findings that concern the host rather than one HAProxy. */
    public static final String HOST = "-";

    public Finding {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        fix = fix == null ? "" : fix;
        if (severity != Severity.OK && fix.isBlank()) {
            throw new IllegalArgumentException("a " + severity + " finding must say how to fix it: " + message);
        }
    }

    public static Finding ok(String check, String target, String message) {
        return new Finding(check, target, Severity.OK, message, "");
    }

    public static Finding warn(String check, String target, String message, String fix) {
        return new Finding(check, target, Severity.WARN, message, fix);
    }

    public static Finding fail(String check, String target, String message, String fix) {
        return new Finding(check, target, Severity.FAIL, message, fix);
    }
}
