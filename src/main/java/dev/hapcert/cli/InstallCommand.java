package dev.hapcert.cli;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.CertificateResult;
import dev.hapcert.deploy.DeployOptions;
import dev.hapcert.deploy.DeployReport;
import dev.hapcert.deploy.Deployer;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.install.CertbotHook;
import dev.hapcert.install.CertbotVersion;
import dev.hapcert.install.HapcertLauncher;
import dev.hapcert.source.CertbotConfigSource;
import dev.hapcert.source.CertificateFeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hapcert install certbot}: makes certbot call hapcert after every renewal and deploys every existing lineage
 * now, so nothing waits for its next renewal.
 */
@Command(name = "install",
        mixinStandardHelpOptions = true,
        description = {"Wire an ACME client to hapcert. `install certbot` writes <config-dir>/renewal-hooks/deploy/hapcert,"
                + " which certbot runs after every renewal, then deploys every existing lineage at once (like `sync"
                + " --source certbot:<config-dir>`, without pruning). Running it again changes nothing.",
            "",
            "The hook calls this hapcert by absolute path with the target options given here (--config,"
                + " --haproxy-config, --target)."})
final class InstallCommand implements Callable<Integer>, ContextAware {
    /** The ACME clients hapcert can wire itself into. */
    enum Client { certbot }

    private CommandContext context;

    @Mixin
    TargetOptions targets = new TargetOptions();

    @Mixin
    OutputOptions output = new OutputOptions();

    @Parameters(index = "0", paramLabel = "CLIENT", description = "The ACME client: ${COMPLETION-CANDIDATES}.")
    Client client;

    @Option(names = "--config-dir", paramLabel = "DIR", description = "certbot's config directory (default: ${DEFAULT-VALUE}).")
    Path configDir = CertbotConfigSource.DEFAULT_CONFIG_DIR;

    @Option(names = "--hapcert-bin", paramLabel = "FILE",
            description = "The hapcert launcher the hook runs (default: bin/hapcert of this installation).")
    Path hapcertBin;

    @Option(names = "--no-deploy", description = "Only install the hook; do not deploy the existing lineages now.")
    boolean noDeploy;

    @Option(names = "--lock-timeout", paramLabel = "SECONDS", defaultValue = "" + ChangeOptions.DEFAULT_LOCK_TIMEOUT_SECONDS,
            description = "How long to wait for another deploy on the same HAProxy (default: ${DEFAULT-VALUE}).")
    int lockTimeoutSeconds;

    @Override
    public void setContext(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws HapcertException {
        context.setVerbose(output.verbose);
        // Load the targets first: a hook that would fail on every renewal is worse than no hook.
        List<TargetConfig> resolved = targets.resolve(context.env());
        Path launcher = launcher();
        CertbotHook hook = new CertbotHook(configDir);
        CertbotHook.Installed installed = hook.install(launcher, hookArguments(), javaHome());
        context.err().println("hapcert: " + switch (installed) {
            case INSTALLED -> "installed the certbot deploy hook " + hook.file();
            case UPDATED -> "updated the certbot deploy hook " + hook.file();
            case UNCHANGED -> "the certbot deploy hook " + hook.file() + " is already installed (unchanged)";
        });
        CertbotVersion.detect("certbot", Duration.ofSeconds(30)).filter(v -> !v.runsDirectoryHooksOnFirstIssuance())
                .ifPresent(v -> context.err().println("hapcert: note: certbot " + v + " runs renewal-hooks/deploy/ on"
                        + " renewals only (before " + CertbotVersion.HOOKS_ON_FIRST_ISSUANCE + "); after issuing a new"
                        + " certificate, run `hapcert sync --source certbot:" + hook.configDir() + "` or issue it with"
                        + " `certbot certonly --deploy-hook '" + launcher + " deploy' ...`"));
        if (noDeploy) {
            return 0;
        }
        if (!Files.isDirectory(configDir.resolve("live")) && !Files.isDirectory(configDir.resolve("renewal"))) {
            context.err().println("hapcert: no certbot lineages in " + configDir + " yet; nothing to deploy");
            return 0;
        }
        DeployReport report = deployLineages(resolved);
        output.print(context, report);
        return report.exitCode().code();
    }

    /** The JDK running this command, which the launcher found: the hook runs with it unless told otherwise. */
    private static Optional<Path> javaHome() {
        Path home = Path.of(System.getProperty("java.home"));
        return Files.isExecutable(home.resolve("bin/java")) ? Optional.of(home) : Optional.empty();
    }

    private Path launcher() throws ConfigException {
        if (hapcertBin != null) {
            return hapcertBin.toAbsolutePath().normalize();
        }
        Optional<Path> found = HapcertLauncher.locate();
        if (found.isEmpty()) {
            throw new ConfigException("cannot tell where this hapcert's launcher (bin/hapcert) is; give it with"
                    + " --hapcert-bin /path/to/bin/hapcert");
        }
        return found.get();
    }

    /** The target options, made absolute: certbot runs hooks from its own working directory. */
    private List<String> hookArguments() {
        List<String> args = new ArrayList<>();
        String envConfig = context.env().get("HAPCERT_CONFIG");
        if (targets.config != null) {
            args.addAll(List.of("--config", targets.config.toAbsolutePath().normalize().toString()));
        } else if (targets.haproxyConfig != null) {
            args.addAll(List.of("--haproxy-config", targets.haproxyConfig.toAbsolutePath().normalize().toString()));
        } else if (envConfig != null && !envConfig.isBlank()) {
            // certbot's environment (a timer, cron) will not have HAPCERT_CONFIG: write down what it is now.
            args.addAll(List.of("--config", Path.of(envConfig).toAbsolutePath().normalize().toString()));
        }
        if (targets.only != null && !targets.only.isEmpty()) {
            args.addAll(List.of("--target", String.join(",", targets.only)));
        }
        return args;
    }

    /** Every lineage onto every target, as {@code sync --source certbot:DIR} does (without pruning). */
    private DeployReport deployLineages(List<TargetConfig> resolved) throws HapcertException {
        CertificateFeed lineages = CertificateFeed.read(List.of(new CertbotConfigSource(configDir)));
        DeployOptions options = new DeployOptions(false, false, Optional.empty(), Duration.ofSeconds(lockTimeoutSeconds));
        ProgressBar bar = ProgressBar.forTerminal(context.err(), context.env());
        DeployReport deployed = new Deployer(options, message -> context.err().println("hapcert: " + message), bar::update)
                .deploy(lineages, resolved);
        bar.finish();
        List<CertificateResult> all = new ArrayList<>(LoadedSources.report(lineages.notLoaded(), context.err()));
        all.addAll(deployed.results());
        return new DeployReport(all);
    }
}
