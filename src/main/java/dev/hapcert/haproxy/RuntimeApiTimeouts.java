package dev.hapcert.haproxy;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait on a Runtime API socket. {@code connect} bounds connecting; {@code idle} bounds the silence while
 * a reply is expected (it restarts with every byte, so a long commit that prints progress dots is not cut short);
 * {@code lockedRetry} bounds how long certificate commands are retried while HAProxy answers that certificate
 * operations are locked.
 */
public record RuntimeApiTimeouts(Duration connect, Duration idle, Duration lockedRetry) {
    public static final RuntimeApiTimeouts DEFAULT =
            new RuntimeApiTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10));

    public RuntimeApiTimeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(lockedRetry, "lockedRetry");
        if (connect.isNegative() || connect.isZero() || idle.isNegative() || idle.isZero() || lockedRetry.isNegative()) {
            throw new IllegalArgumentException("Runtime API timeouts must be positive: connect=" + connect
                    + ", idle=" + idle + ", lockedRetry=" + lockedRetry);
        }
    }
}
