package dev.hapcert.deploy;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.haproxy.CertificateLock;
import dev.hapcert.store.SharedFiles;
import java.util.Objects;

/**
 * The hook's one target, made ready by {@link PreparedDeploy} while the bundle was being validated: its certificate
 * lock and its files held, its Runtime API open, its state observed. Nothing in it has changed anything yet.
 * {@link Deployer} takes the locks and the connection from here instead of acquiring and opening them, and closes
 * them as usual. The locks belong to the thread that acquired them, so everything that uses this runs on that thread.
 */
final class PreparedTarget implements AutoCloseable {
    private final TargetConfig configured;
    private final CertificateLock lock;
    private final SharedFiles files;
    private final TargetConnector.Resolved resolved;
    private final EarlyObservation observation;

    PreparedTarget(TargetConfig configured, CertificateLock lock, SharedFiles files, TargetConnector.Resolved resolved,
                   EarlyObservation observation) {
        this.configured = Objects.requireNonNull(configured, "configured");
        this.lock = Objects.requireNonNull(lock, "lock");
        this.files = Objects.requireNonNull(files, "files");
        this.resolved = Objects.requireNonNull(resolved, "resolved");
        this.observation = Objects.requireNonNull(observation, "observation");
    }

    /** The target as configured (before resolution), which the deploy is asked to work on. */
    TargetConfig configured() {
        return configured;
    }

    CertificateLock lock() {
        return lock;
    }

    SharedFiles files() {
        return files;
    }

    TargetConnector.Resolved resolved() {
        return resolved;
    }

    EarlyObservation observation() {
        return observation;
    }

    /** Closes the connection and releases the locks; all idempotent, so closing after the deploy did is fine. */
    @Override
    public void close() {
        try {
            resolved.close();
        } finally {
            try {
                files.close();
            } finally {
                lock.close();
            }
        }
    }
}
