package dev.hapcert.deploy;

import dev.hapcert.error.ExitCode;

/** How deploying one certificate to one target ended. */
public enum Outcome {
    ADDED(true, ExitCode.OK),
    UPDATED(true, ExitCode.OK),
    UNCHANGED(true, ExitCode.OK),
    /** Applied by a reload because the Runtime API could not be reached and the configuration allowed it. */
    RELOADED(true, ExitCode.OK),
    /** {@code sync --prune}: deployed earlier by hapcert, no longer in the source, removed. */
    REMOVED(true, ExitCode.OK),
    /** {@code --dry-run}: the plan, nothing touched. */
    PLANNED(true, ExitCode.OK),
    REFUSED_OLDER(false, ExitCode.INVALID_INPUT),
    INVALID(false, ExitCode.INVALID_INPUT),
    HAPROXY_REFUSED(false, ExitCode.HAPROXY_REFUSED),
    UNREACHABLE(false, ExitCode.HAPROXY_UNREACHABLE),
    VERIFY_FAILED(false, ExitCode.VERIFY_FAILED),
    FAILED(false, ExitCode.CONFIG_ERROR);

    private final boolean success;
    private final ExitCode exitCode;

    Outcome(boolean success, ExitCode exitCode) {
        this.success = success;
        this.exitCode = exitCode;
    }

    public boolean success() {
        return success;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static Outcome forFailure(ExitCode code) {
        return switch (code) {
            case INVALID_INPUT -> INVALID;
            case HAPROXY_REFUSED -> HAPROXY_REFUSED;
            case HAPROXY_UNREACHABLE -> UNREACHABLE;
            case VERIFY_FAILED -> VERIFY_FAILED;
            default -> FAILED;
        };
    }
}
