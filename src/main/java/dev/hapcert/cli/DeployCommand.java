package dev.hapcert.cli;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.DeployOptions;
import dev.hapcert.deploy.DeployReport;
import dev.hapcert.deploy.Deployer;
import dev.hapcert.deploy.PreparedDeploy;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.InvalidInputException;
import dev.hapcert.source.CertbotLineageSource;
import dev.hapcert.source.CertificateSource;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.source.FilesSource;
import dev.hapcert.source.HookEnvironment;
import dev.hapcert.source.HookRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hapcert deploy}: the deploy hook. One certificate onto every configured HAProxy. */
@Command(name = "deploy",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Deploy one certificate into every configured HAProxy without a reload.",
            "",
            "With no certificate options it reads the hook environment of the ACME client that called it "
                + "(certbot: RENEWED_LINEAGE, RENEWED_DOMAINS), so `certbot ... --deploy-hook \"hapcert deploy\"` "
                + "is all it takes."})
final class DeployCommand implements Callable<Integer>, ContextAware {
    private CommandContext context;

    @Mixin
    TargetOptions targets = new TargetOptions();

    @Mixin
    OutputOptions output = new OutputOptions();

    @Mixin
    ChangeOptions change = new ChangeOptions();

    @ArgGroup(exclusive = true)
    Input input;

    static final class Input {
        @Option(names = "--lineage", paramLabel = "DIR", description = "A certbot live directory (fullchain.pem + privkey.pem).")
        Path lineage;

        @ArgGroup(exclusive = false)
        Files files;
    }

    static final class Files {
        @Option(names = {"--fullchain", "--cert"}, required = true, paramLabel = "FILE",
                description = "The certificate, or the full chain (leaf first). May also hold the key.")
        Path certificate;

        @Option(names = "--chain", paramLabel = "FILE", description = "Intermediate certificates, when not in the certificate file.")
        Path chain;

        @Option(names = "--key", paramLabel = "FILE", description = "The private key, when not in the certificate file.")
        Path key;
    }

    @Option(names = "--name", paramLabel = "NAME",
            description = "Name of the bundle file (<cert-dir>/NAME.pem). Default: the lineage directory's name, "
                    + "else the certificate's first DNS name.")
    String name;

    @Option(names = "--domains", split = ",", paramLabel = "NAME",
            description = "Names the certificate must cover (default: RENEWED_DOMAINS from certbot).")
    List<String> domains;

    @Parameters(arity = "0..*", paramLabel = "HOOK-ARGS", hidden = true,
            description = "Arguments a hook caller passes, e.g. dehydrated's `deploy_cert DOMAIN KEY CERT FULLCHAIN CHAIN TS`.")
    List<String> hookArgs;


    @Override
    public void setContext(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws HapcertException {
        context.setVerbose(output.verbose);
        if (hookArgs != null && !hookArgs.isEmpty() && input == null) {
            Optional<HookRequest> request = HookEnvironment.detectArguments(hookArgs, name);
            if (request.isPresent() && request.get() instanceof HookRequest.Ignore ignore) {
                // dehydrated reads some hooks' stdout (generate_csr): print nothing there for events we ignore.
                if (output.verbose) {
                    context.err().println("hapcert: nothing to do: " + ignore.reason());
                }
                return 0;
            }
        }
        CertificateSource source = source();
        Consumer<String> notices = new Notices(context);
        PreparedDeploy prepared = prepare(source, notices);
        List<DesiredCertificate> certificates;
        try {
            certificates = source.load();
        } catch (HapcertException | RuntimeException e) {
            if (prepared != null) {
                prepared.cancel();
            }
            throw e;
        }
        if (prepared != null) {
            Optional<DeployReport> report = certificates.size() == 1 ? prepared.deploy(certificates.get(0)) : Optional.empty();
            if (report.isPresent()) {
                output.print(context, report.get());
                return report.get().exitCode().code();
            }
            prepared.cancel();
        }
        List<TargetConfig> resolved = targets.resolve(context.env());
        DeployOptions options = options();
        DeployReport report = new Deployer(options, notices).deploy(certificates, resolved);
        output.print(context, report);
        return report.exitCode().code();
    }

    private DeployOptions options() throws InvalidInputException {
        return change.toDeployOptions();
    }

    /**
     * For a source whose certificate name is known before its files are read, starts on the target while
     * the bundle is parsed and validated (see {@link PreparedDeploy}); null when the usual path must run. Anything
     * that would fail here (bad options, a broken configuration) is left to the usual path, which reports it in its
     * usual order: the bundle's errors first.
     */
    private PreparedDeploy prepare(CertificateSource source, Consumer<String> notices) {
        Optional<String> name = source.knownName();
        if (name.isEmpty()) {
            return null;
        }
        DeployOptions options;
        try {
            options = options();
        } catch (InvalidInputException | RuntimeException e) {
            return null;
        }
        return PreparedDeploy.start(new PrepareRequest(targets, context.env(), name.get()), options, notices);
    }

    // Named classes rather than lambdas, and the certificate name checked by hand: on JDK 17 the first lambda
    // or regular expression of a process spins up the method-handle machinery (several milliseconds), which would
    // delay the start of the prepared deploy. Its worker meets one soon enough, and then does that work while this
    // thread reads the bundle.

    /** Progress and warnings for people, on stderr. */
    private static final class Notices implements Consumer<String> {
        private final CommandContext context;

        Notices(CommandContext context) {
            this.context = context;
        }

        @Override
        public void accept(String message) {
            context.err().println("hapcert: " + message);
        }
    }

    /** The targets, worked out on the prepared deploy's worker, and the certificate's name. */
    private static final class PrepareRequest implements PreparedDeploy.Request {
        private final TargetOptions targets;
        private final Map<String, String> env;
        private final String name;

        PrepareRequest(TargetOptions targets, Map<String, String> env, String name) {
            this.targets = targets;
            this.env = env;
            this.name = name;
        }

        @Override
        public List<TargetConfig> targets() throws HapcertException {
            return targets.resolve(env);
        }

        @Override
        public Optional<String> certificateName() {
            return Optional.of(name);
        }
    }

    private CertificateSource source() throws HapcertException {
        List<String> required = domains == null ? List.of() : List.copyOf(domains);
        if (input != null && input.lineage != null) {
            return new CertbotLineageSource(input.lineage, required, name);
        }
        if (input != null && input.files != null) {
            return new FilesSource(input.files.certificate, input.files.chain, input.files.key, required, name);
        }
        if (hookArgs != null && !hookArgs.isEmpty()) {
            if (input != null) {
                throw new InvalidInputException("unexpected arguments " + hookArgs + " together with certificate options");
            }
            if (domains != null) {
                throw new InvalidInputException("--domains cannot be combined with hook arguments; the ACME client names the domains");
            }
            Optional<HookRequest> request = HookEnvironment.detectArguments(hookArgs, name);
            if (request.isPresent() && request.get() instanceof HookRequest.Deploy deploy) {
                return deploy.source();
            }
        }
        Optional<CertificateSource> fromHook = HookEnvironment.detect(context.env(), name);
        if (fromHook.isPresent()) {
            if (domains != null) {
                throw new InvalidInputException("--domains cannot be combined with a hook environment; the ACME client names the domains");
            }
            return fromHook.get();
        }
        throw new InvalidInputException("no certificate given: run hapcert deploy as the deploy hook of certbot "
                + "(RENEWED_LINEAGE), lego (LEGO_CERT_PATH), acme.sh (contrib/acme.sh/hapcert.sh) or dehydrated "
                + "(contrib/dehydrated/hook.sh), or give --lineage DIR, or --fullchain FILE --key FILE");
    }
}
