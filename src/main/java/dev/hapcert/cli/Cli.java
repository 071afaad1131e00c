package dev.hapcert.cli;

import dev.hapcert.error.ExitCode;
import dev.hapcert.error.HapcertException;
import java.io.PrintWriter;
import java.util.Map;

/**
 * Runs one hapcert command line with the given streams and environment and returns the exit code. Failures are
 * mapped to exit codes here and only here: a {@link HapcertException} prints its one-line message, anything else is
 * a bug and prints a stack trace only with {@code --verbose}.
 */
public final class Cli {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> env;

    public Cli(PrintWriter out, PrintWriter err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = Map.copyOf(env);
    }

    public int run(String... args) {
        CommandContext context = new CommandContext(out, err, env);
        // The deploy hook's usual command lines skip picocli entirely (see DeployArgs); anything unusual, including
        // every usage error, goes through picocli below.
        java.util.Optional<DeployCommand> hook = DeployArgs.parse(args);
        if (hook.isPresent()) {
            DeployCommand command = hook.get();
            command.setContext(context);
            int code;
            try {
                code = command.call();
            } catch (Exception e) {
                code = failed(e, context, "hapcert deploy", args);
            }
            out.flush();
            err.flush();
            return code;
        }
        // Kept in its own class: loading picocli (from the jar, not the class-data archive) costs the hook path
        // milliseconds, and a reference from this method would make the JVM load part of it to verify this class.
        return PicocliRun.run(context, args);
    }

    static int failed(Exception ex, CommandContext context, String command, String[] args) {
        if (ex instanceof HapcertException failure) {
            context.err().println("hapcert: " + failure.getMessage());
            if (failure instanceof dev.hapcert.error.UsageException) {
                context.err().println("Try '" + command + " --help' for usage.");
            }
            if (java.util.Arrays.asList(args).contains("--json")) {
                // A machine reading stdout gets an answer even when the run stopped before any report.
                OutputOptions.printJsonError(context.out(), failure);
            }
            if (context.verbose()) {
                failure.printStackTrace(context.err());
            }
            return failure.exitCode().code();
        }
        context.err().println("hapcert: internal error: " + ex);
        if (context.verbose()) {
            ex.printStackTrace(context.err());
        } else {
            context.err().println("(run again with --verbose for details)");
        }
        return ExitCode.INTERNAL_ERROR.code();
    }
}
