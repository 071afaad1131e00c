package dev.hapcert.haproxy;

/**
 * A Runtime API reply does not have the shape HAProxy 2.6 documents (a missing required field, an unparsable date,
 * a line outside any section). Unchecked: it means either an HAProxy version this code does not know or a bug, not
 * a condition an operator can fix. The message quotes only the offending field, never a whole reply.
 */
public final class HaproxyProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HaproxyProtocolException(String message) {
        super(message);
    }

    public HaproxyProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
