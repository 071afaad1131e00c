package dev.hapcert.error;

/** The certificate, key, chain or hook environment given to hapcert is unusable. */
public class InvalidInputException extends HapcertException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ExitCode exitCode() {
        return ExitCode.INVALID_INPUT;
    }
}
