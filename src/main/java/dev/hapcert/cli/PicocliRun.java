package dev.hapcert.cli;

import dev.hapcert.error.ExitCode;
import picocli.CommandLine;

/** Every command line that is not a usual deploy hook's: parsed, checked and dispatched by picocli. */
final class PicocliRun {
    private PicocliRun() {
    }

    static int run(CommandContext context, String[] args) {
        CommandLine commandLine = new CommandLine(new HapcertCommand(), new ContextFactory(context));
        commandLine.setOut(context.out());
        commandLine.setErr(context.err());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler((ex, a) -> {
            context.err().println("hapcert: " + ex.getMessage());
            context.err().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return ExitCode.USAGE.code();
        });
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) ->
                Cli.failed(ex, context, cl.getCommandSpec().qualifiedName(), args));
        int code = commandLine.execute(args);
        context.out().flush();
        context.err().flush();
        return code;
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
