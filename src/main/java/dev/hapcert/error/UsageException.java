package dev.hapcert.error;

/** The command line is wrong in a way only the command itself can tell (for example arguments it does not take). */
public class UsageException extends HapcertException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    @Override
    public ExitCode exitCode() {
        return ExitCode.USAGE;
    }
}
