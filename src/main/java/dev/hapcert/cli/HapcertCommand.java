package dev.hapcert.cli;

import picocli.CommandLine.Command;

/**
 * The top-level command; every capability is a subcommand driving the same pipeline. The subcommands are added by
 * {@link PicocliRun}, in the order of {@link #SUBCOMMANDS}.
 */
@Command(name = "hapcert",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Hot-deploys certificates into running HAProxy instances through the Runtime API: "
                + "zero downtime, persisted to disk, verified.",
        footer = {"", "Exit codes: 0 done or unchanged, 2 usage, 3 invalid input, 4 HAProxy refused, "
                + "5 HAProxy unreachable, 6 partly failed, 7 verification failed, 8 configuration or local files, "
                + "9 attention needed (status), 1 internal error."})
final class HapcertCommand implements java.util.concurrent.Callable<Integer> {
    /** In the order {@code hapcert --help} lists them. */
    static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(DeployCommand.class, SyncCommand.class,
            StatusCommand.class, DoctorCommand.class, IssuersCommand.class, InstallCommand.class, UninstallCommand.class,
            picocli.CommandLine.HelpCommand.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** No subcommand is a usage error: print the usage on stderr, where scripts will see it, and exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return dev.hapcert.error.ExitCode.USAGE.code();
    }
}
