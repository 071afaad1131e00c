package dev.hapcert.cli;

import dev.hapcert.error.ConfigException;
import dev.hapcert.install.CertbotHook;
import dev.hapcert.source.CertbotConfigSource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hapcert uninstall certbot}: removes the hook {@code install} wrote, and nothing else. */
@Command(name = "uninstall",
        mixinStandardHelpOptions = true,
        description = {"Remove what `hapcert install` wrote: for certbot, <config-dir>/renewal-hooks/deploy/hapcert, only"
                + " if hapcert wrote it. Certificates already in HAProxy stay; other hooks and certbot's files are"
                + " left alone."})
final class UninstallCommand implements Callable<Integer>, ContextAware {
    private CommandContext context;

    @Parameters(index = "0", paramLabel = "CLIENT", description = "The ACME client: ${COMPLETION-CANDIDATES}.")
    InstallCommand.Client client;

    @Option(names = "--config-dir", paramLabel = "DIR", description = "certbot's config directory (default: ${DEFAULT-VALUE}).")
    Path configDir = CertbotConfigSource.DEFAULT_CONFIG_DIR;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public void setContext(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws ConfigException {
        context.setVerbose(verbose);
        CertbotHook hook = new CertbotHook(configDir);
        context.err().println("hapcert: " + switch (hook.uninstall()) {
            case REMOVED -> "removed the certbot deploy hook " + hook.file();
            case NOT_INSTALLED -> "no hapcert hook at " + hook.file() + "; nothing to remove";
        });
        return 0;
    }
}
