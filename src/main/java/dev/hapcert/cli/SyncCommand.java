package dev.hapcert.cli;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.CertificateResult;
import dev.hapcert.deploy.DeployOptions;
import dev.hapcert.deploy.DeployReport;
import dev.hapcert.deploy.Deployer;
import dev.hapcert.deploy.Outcome;
import dev.hapcert.error.ExitCode;
import dev.hapcert.error.HapcertException;
import dev.hapcert.source.CertificateFeed;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hapcert sync}: every certificate of a source onto every target; the same pipeline as deploy, in bulk. */
@Command(name = "sync",
        mixinStandardHelpOptions = true,
        description = {"Bring every target in line with a whole certificate store: add new certificates, update changed "
                + "ones, leave unchanged ones alone, and with --prune remove what hapcert deployed earlier and the "
                + "source no longer has (never anything hapcert did not deploy).",
            "",
            "An unusable certificate in the source is reported and the others carry on."})
final class SyncCommand implements Callable<Integer>, ContextAware {
    private CommandContext context;

    @Mixin
    TargetOptions targets = new TargetOptions();

    @Mixin
    OutputOptions output = new OutputOptions();

    @Mixin
    ChangeOptions change = new ChangeOptions();

    @Option(names = {"-s", "--source"}, paramLabel = "KIND:DIR", defaultValue = SourceSpec.DEFAULT,
            description = "Where the certificates are: " + SourceSpec.FORMS + " (repeatable; default: ${DEFAULT-VALUE}).")
    List<String> sources;

    @Option(names = "--prune", description = "Remove certificates hapcert deployed earlier that the source no longer has.")
    boolean prune;

    @Override
    public void setContext(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws HapcertException {
        context.setVerbose(output.verbose);
        // Deploying starts while the sources are still being read: the first batch goes out after the first hundred
        // certificates instead of after all of them.
        CertificateFeed feed = CertificateFeed.read(SourceSpec.parseAll(sources));
        List<TargetConfig> resolved = targets.resolve(context.env());
        DeployOptions options = change.toDeployOptions();
        ProgressBar bar = ProgressBar.forTerminal(context.err(), context.env());
        Deployer deployer = new Deployer(options, message -> context.err().println("hapcert: " + message), bar::update);
        DeployReport report = prune ? deployer.sync(feed, resolved) : deployer.deploy(feed, resolved);
        bar.finish();
        List<CertificateResult> all = new ArrayList<>(LoadedSources.report(feed.notLoaded(), context.err()));
        all.addAll(report.results());
        DeployReport whole = new DeployReport(all);
        output.print(context, whole);
        context.err().println("hapcert: " + summary(whole));
        ExitCode code = whole.exitCode();
        return code.code();
    }

    static String summary(DeployReport report) {
        java.util.Map<Outcome, Long> counts = new java.util.EnumMap<>(Outcome.class);
        report.results().forEach(r -> counts.merge(r.outcome(), 1L, Long::sum));
        StringBuilder b = new StringBuilder("sync: ");
        counts.forEach((o, n) -> b.append(n).append(' ').append(o.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).append(", "));
        return counts.isEmpty() ? "sync: nothing to do" : b.substring(0, b.length() - 2);
    }
}
