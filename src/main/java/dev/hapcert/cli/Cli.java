package dev.hapcert.cli;

import dev.hapcert.error.ExitCode;
import dev.hapcert.error.HapcertException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

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
        CommandLine commandLine = new CommandLine(new HapcertCommand(), new ContextFactory(context));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler((ex, a) -> {
            err.println("hapcert: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return ExitCode.USAGE.code();
        });
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) ->
                failed(ex, context, cl.getCommandSpec().qualifiedName(), args));
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private int failed(Exception ex, CommandContext context, String command, String[] args) {
        if (ex instanceof HapcertException failure) {
            err.println("hapcert: " + failure.getMessage());
            if (failure instanceof dev.hapcert.error.UsageException) {
                err.println("Try '" + command + " --help' for usage.");
            }
            if (java.util.Arrays.asList(args).contains("--json")) {
                // A machine reading stdout gets an answer even when the run stopped before any report.
                OutputOptions.printJsonError(out, failure);
            }
            if (context.verbose()) {
                failure.printStackTrace(err);
            }
            return failure.exitCode().code();
        }
        err.println("hapcert: internal error: " + ex);
        if (context.verbose()) {
            ex.printStackTrace(err);
        } else {
            err.println("(run again with --verbose for details)");
        }
        return ExitCode.INTERNAL_ERROR.code();
    }

    /** Gives every command the same streams and environment instead of the process's globals. */
    private static final class ContextFactory implements CommandLine.IFactory {
        private final CommandContext context;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        ContextFactory(CommandContext context) {
            this.context = context;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K instance = fallback.create(cls);
            if (instance instanceof ContextAware aware) {
                aware.setContext(context);
            }
            return instance;
        }
    }
}
