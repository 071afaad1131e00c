package dev.hapcert.cli;

import dev.hapcert.doctor.Doctor;
import dev.hapcert.doctor.DoctorReport;
import dev.hapcert.source.CertbotConfigSource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hapcert doctor}: checks the wiring between hapcert, HAProxy and certbot, and says how to fix each problem. */
@Command(name = "doctor",
        mixinStandardHelpOptions = true,
        description = {"Check that hapcert can deploy: the configuration loads; each HAProxy's Runtime API answers at "
                + "level admin; its version has the certificate commands; the crt-list is in use; its paths exist on "
                + "this host; the directories are writable; key files are private; no transaction is left open; "
                + "the issuers-chain-path HAProxy completes chains from; certbot's version and hook.",
            "",
            "Changes nothing. Exit code 0 when nothing failed (warnings allowed), 8 otherwise."})
final class DoctorCommand implements Callable<Integer>, ContextAware {
    private CommandContext context;

    @Mixin
    TargetOptions targets = new TargetOptions();

    @Option(names = "--json", description = "Print the findings as JSON.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors.")
    boolean verbose;

    @Option(names = "--certbot-dir", paramLabel = "DIR",
            description = "certbot's config directory (default: ${DEFAULT-VALUE}).")
    Path certbotDir = CertbotConfigSource.DEFAULT_CONFIG_DIR;

    @Option(names = "--certbot", paramLabel = "COMMAND", defaultValue = "certbot",
            description = "The certbot program, asked for its version (default: ${DEFAULT-VALUE} from PATH).")
    String certbotCommand;

    @Override
    public void setContext(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        context.setVerbose(verbose);
        Doctor doctor = new Doctor(new Doctor.Settings(certbotDir, certbotCommand),
                message -> {
                    if (verbose) {
                        context.err().println("hapcert: " + message);
                    }
                });
        DoctorReport report = doctor.examine(() -> targets.resolve(context.env()));
        if (json) {
            DoctorOutput.printJson(context.out(), report);
        } else {
            DoctorOutput.printText(context.out(), report);
        }
        context.out().flush();
        context.err().println("hapcert: " + DoctorOutput.summary(report));
        return report.exitCode().code();
    }
}
