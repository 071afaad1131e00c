package dev.hapcert.error;

/**
 * Base of every failure hapcert reports to a user. Messages are written for the operator: what went wrong,
 * where, and what to do. They never contain private key material; the subclasses' constructors take
 * plain messages, never raw payloads or HAProxy replies that could echo a key.
 */
public abstract class HapcertException extends Exception {
    private static final long serialVersionUID = 1L;

    protected HapcertException(String message) {
        super(message);
    }

    protected HapcertException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The exit code this failure maps to when it ends the process. */
    public abstract ExitCode exitCode();
}
