package dev.hapcert.cli;

import dev.hapcert.error.ExitCode;
import picocli.CommandLine;

/** Every command line that is not a usual deploy hook's: parsed, checked and dispatched by picocli. */
final class PicocliRun {
    private PicocliRun() {
    }

    static int run(CommandContext context, String[] args) {
        ContextFactory factory = new ContextFactory(context);
        CommandLine commandLine = new CommandLine(new HapcertCommand(), factory);
        // When the first word names a subcommand, only that one is built: picocli inspects each subcommand it is
        // given, all their options and mixins, which took a sync or a status about 40 ms before it could start.
        // Everything else (no subcommand, help, an unknown word) gets them all, for the usage and the messages.
        Class<?> only = args.length > 0 && !args[0].equals("help") ? subcommandNamed(args[0]) : null;
        for (Class<?> subcommand : HapcertCommand.SUBCOMMANDS) {
            if (only == null || subcommand == only) {
                try {
                    commandLine.addSubcommand(factory.create(subcommand));
                } catch (Exception e) {
                    throw new IllegalStateException("cannot create the " + subcommand.getSimpleName() + " command", e);
                }
            }
        }
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

    private static Class<?> subcommandNamed(String word) {
        for (Class<?> subcommand : HapcertCommand.SUBCOMMANDS) {
            CommandLine.Command annotation = subcommand.getAnnotation(CommandLine.Command.class);
            if (annotation.name().equals(word) || java.util.Arrays.asList(annotation.aliases()).contains(word)) {
                return subcommand;
            }
        }
        return null;
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
