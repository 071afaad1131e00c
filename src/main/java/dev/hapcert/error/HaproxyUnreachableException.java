package dev.hapcert.error;

/** The Runtime API of an HAProxy could not be reached or closed the connection. */
public class HaproxyUnreachableException extends HapcertException {
    private static final long serialVersionUID = 1L;

    public HaproxyUnreachableException(String message) {
        super(message);
    }

    public HaproxyUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ExitCode exitCode() {
        return ExitCode.HAPROXY_UNREACHABLE;
    }
}
