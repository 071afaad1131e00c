package dev.hapcert.deploy;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Opens the Runtime API of a target, whichever way it is reached, and works out the target as the session must
 * see it: for a {@code docker} target without {@code paths}, the path mapping comes from the container's mounts.
 * That resolution happens before anything is written, so an unmapped path stops the run with nothing changed.
 */
final class TargetConnector {
    private TargetConnector() {
    }

    /** The reload fallback through a container engine: check the configuration there, then reload; returns how. */
    @FunctionalInterface
    interface EngineReload {
        String checkAndReload(Duration timeout) throws HapcertException;
    }

    /**
     * A target ready to work on: the effective configuration, the Runtime API client or why it could not be opened
     * (the caller may fall back to a reload), and for a container the engine's reload. Closing it closes the client
     * and any engine connection.
     */
    static final class Resolved implements AutoCloseable {
        private final TargetConfig target;
        private final RuntimeApiClient client;
        private final HaproxyUnreachableException failure;
        private final Optional<EngineReload> engineReload;
        private final AutoCloseable resources;

        Resolved(TargetConfig target, RuntimeApiClient client, HaproxyUnreachableException failure,
                 Optional<EngineReload> engineReload, AutoCloseable resources) {
            if ((client == null) == (failure == null)) {
                throw new IllegalArgumentException("exactly one of client and failure");
            }
            this.target = Objects.requireNonNull(target, "target");
            this.client = client;
            this.failure = failure;
            this.engineReload = Objects.requireNonNull(engineReload, "engineReload");
            this.resources = resources;
        }

        /** The target with the paths the session must use (mapped from a container's mounts when so derived). */
        TargetConfig target() {
            return target;
        }

        /** The open client; the caller may close it early, {@link #close()} closes it too. */
        RuntimeApiClient client() throws HaproxyUnreachableException {
            if (failure != null) {
                throw failure;
            }
            return client;
        }

        Optional<EngineReload> engineReload() {
            return engineReload;
        }

        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
            if (resources != null) {
                try {
                    resources.close();
                } catch (Exception ignored) {
                    // An engine connection that fails to close has nothing left to give back.
                }
            }
        }
    }

    /**
     * Resolves the target and opens its Runtime API. An unreachable Runtime API is not thrown but kept in the result
     * (so a reload fallback can still use the effective target); anything that stops the target as a whole is thrown:
     * an unreachable engine, a container that does not run, a path no mount maps.
     *
     * @param certNames the certificate names the run will look at; a slow transport reads their state ahead in one go
     * @param notices receives one line saying how a container's HAProxy is reached
     */
    static Resolved resolve(TargetConfig target, List<String> certNames, Consumer<String> notices) throws HapcertException {
        return resolve(target, certNames, notices, System.getenv());
    }

    static Resolved resolve(TargetConfig target, List<String> certNames, Consumer<String> notices,
                            Map<String, String> env) throws HapcertException {
        if (target.docker().isPresent()) {
            // A separate class, so the container engine's client library loads only for docker targets.
            return ContainerConnector.resolve(target, target.docker().get(), certNames, notices, env);
        }
        try {
            return new Resolved(target, open(target), null, Optional.empty(), null);
        } catch (HaproxyUnreachableException e) {
            return new Resolved(target, null, e, Optional.empty(), null);
        }
    }

    /** The Runtime API at {@code target.runtimeApi()} as this host reaches it. */
    static RuntimeApiClient open(TargetConfig target) throws HapcertException {
        RuntimeApiAddress address = RuntimeApiAddress.parse(target.runtimeApi());
        // Through a master CLI, commands go to the current worker (@1): HAProxy 2.6 runs one worker process, and
        // workers left over from a reload no longer accept new connections.
        return RuntimeApiClient.open(target.masterCli() ? address.asMasterCli() : address);
    }
}
