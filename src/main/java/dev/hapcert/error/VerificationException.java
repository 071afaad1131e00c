package dev.hapcert.error;

/** The change was applied but HAProxy does not serve the expected certificate. */
public class VerificationException extends HapcertException {
    private static final long serialVersionUID = 1L;

    public VerificationException(String message) {
        super(message);
    }

    public VerificationException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ExitCode exitCode() {
        return ExitCode.VERIFY_FAILED;
    }
}
