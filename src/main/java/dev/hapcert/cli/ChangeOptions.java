package dev.hapcert.cli;

import dev.hapcert.deploy.DeployOptions;
import dev.hapcert.error.InvalidInputException;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How a command that changes HAProxy runs: the options {@code deploy} and {@code sync} share. */
final class ChangeOptions {
    static final int DEFAULT_LOCK_TIMEOUT_SECONDS = 60;

    @Option(names = "--dry-run", description = "Print the plan and touch nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Replace a loaded certificate even with an older one.")
    boolean force;

    @Option(names = "--verify-tls", paramLabel = "HOST:PORT",
            description = "After deploying, handshake with HOST:PORT for every name and check the served certificate.")
    String verifyTls;

    @Option(names = "--lock-timeout", paramLabel = "SECONDS", defaultValue = "" + DEFAULT_LOCK_TIMEOUT_SECONDS,
            description = "How long to wait for another deploy on the same HAProxy (default: ${DEFAULT-VALUE}).")
    int lockTimeoutSeconds = DEFAULT_LOCK_TIMEOUT_SECONDS;

    DeployOptions toDeployOptions() throws InvalidInputException {
        Optional<DeployOptions.TlsEndpoint> endpoint;
        try {
            endpoint = verifyTls == null ? Optional.empty() : Optional.of(DeployOptions.TlsEndpoint.parse(verifyTls));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--verify-tls: " + e.getMessage());
        }
        return new DeployOptions(dryRun, force, endpoint, Duration.ofSeconds(lockTimeoutSeconds));
    }
}
