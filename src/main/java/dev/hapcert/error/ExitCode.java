package dev.hapcert.error;

/**
 * The documented process exit codes. Each kind of failure has exactly one code so that scripts and
 * monitoring can tell them apart; README's "Exit codes" table lists the same values.
 */
public enum ExitCode {
    /** Every certificate is deployed and verified, or was already in place. */
    OK(0),
    /** A bug or an unexpected condition; the message says what happened. */
    INTERNAL_ERROR(1),
    /** The command line itself is wrong (unknown option, missing argument). */
    USAGE(2),
    /** The certificate, key, chain or hook environment is unusable; nothing was touched. */
    INVALID_INPUT(3),
    /** HAProxy refused a Runtime API command; the certificate it was serving keeps serving. */
    HAPROXY_REFUSED(4),
    /** The Runtime API could not be reached (and no reload fallback was allowed or possible). */
    HAPROXY_UNREACHABLE(5),
    /** Some targets or certificates succeeded and others failed; the report says which. */
    PARTIAL_FAILURE(6),
    /** The change was applied but HAProxy does not serve what was expected. */
    VERIFY_FAILED(7),
    /** hapcert's own configuration, haproxy.cfg discovery or the local files (permissions, paths) are wrong. */
    CONFIG_ERROR(8),
    /** {@code status}: a certificate expires within the warning window or drifts from its source. */
    ATTENTION_NEEDED(9);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
