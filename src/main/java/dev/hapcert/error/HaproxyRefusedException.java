package dev.hapcert.error;

/** HAProxy answered a Runtime API command with an error. */
public class HaproxyRefusedException extends HapcertException {
    private static final long serialVersionUID = 1L;

    public HaproxyRefusedException(String message) {
        super(message);
    }

    public HaproxyRefusedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ExitCode exitCode() {
        return ExitCode.HAPROXY_REFUSED;
    }
}
