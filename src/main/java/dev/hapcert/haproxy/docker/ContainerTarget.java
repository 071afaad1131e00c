package dev.hapcert.haproxy.docker;

import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.haproxy.BatchTransport;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.RuntimeApiTimeouts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One running container that holds an HAProxy, found through an engine: the entry point the deployer uses for a
 * docker target. It knows the container's mounts (to write files on this host and name them in the container's
 * view), opens the Runtime API the fastest way available, and reloads through the engine.
 */
public final class ContainerTarget implements AutoCloseable {
    private final DockerEngine engine;
    private final ContainerInspection container;
    private final MountMapping mounts;
    /** Carries Runtime API connections through execs, once one has been opened that way; closed with the target. */
    private ExecRelay relay;

    private ContainerTarget(DockerEngine engine, ContainerInspection container) {
        this.engine = engine;
        this.container = container;
        this.mounts = MountMapping.of(container);
    }

    /**
     * Connects to the engine (negotiating the API version) and finds the running container.
     *
     * @param engineAddress {@code unix:///...} or {@code tcp://host:port}; see {@link DockerEngine#resolveAddress}
     * @param containerRef a name, an id or {@code label=key=value}
     * @throws HaproxyUnreachableException when the engine cannot be reached or the container does not run
     */
    public static ContainerTarget connect(String engineAddress, String containerRef) throws HapcertException {
        DockerEngine engine = DockerEngine.connect(engineAddress);
        try {
            return new ContainerTarget(engine, engine.inspectRunning(ContainerRef.parse(containerRef)));
        } catch (HapcertException | RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** A target over an engine and container already at hand (e.g. a diagnosis that inspected it); owns the engine. */
    public static ContainerTarget of(DockerEngine engine, ContainerInspection container) {
        return new ContainerTarget(engine, container);
    }

    public ContainerInspection container() {
        return container;
    }

    public MountMapping mounts() {
        return mounts;
    }

    public String engineAddress() {
        return engine.address();
    }

    public ApiVersion apiVersion() {
        return engine.apiVersion();
    }

    /** The host path of the stats socket when it lies on a bind mount and is a live socket here. */
    public Optional<Path> hostSocket(String socketInContainer) {
        return mounts.hostSocket(socketInContainer);
    }

    /**
     * The Runtime API of the HAProxy in the container: straight through the socket file when the socket is
     * bind-mounted to this host; else through an exec of socat inside the container, streamed like a socket (one
     * exec per connection, see {@link ExecRelay}); and where that does not connect (an image without socat, a wrong
     * socket path), one exec per exchange, which finds the image's tool or says what is wrong.
     */
    public RuntimeApiClient openRuntimeApi(String socketInContainer, boolean masterCli, RuntimeApiTimeouts timeouts)
            throws HapcertException {
        Optional<Path> onHost = hostSocket(socketInContainer);
        if (onHost.isPresent()) {
            RuntimeApiAddress direct = RuntimeApiAddress.unix(onHost.get());
            return RuntimeApiClient.open(masterCli ? direct.asMasterCli() : direct, timeouts);
        }
        RuntimeApiAddress inside = RuntimeApiAddress.unix(Path.of(socketInContainer));
        if (masterCli) {
            inside = inside.asMasterCli();
        }
        String description = inside + " in container " + container.describe() + " (through an exec)";
        Optional<RuntimeApiClient> streamed = openStreamed(socketInContainer, inside, description, timeouts);
        if (streamed.isPresent()) {
            return streamed.get();
        }
        ContainerRuntimeApi api = ContainerRuntimeApi.openAssumingSocat(engine.execChannel(container),
                socketInContainer, timeouts.idle());
        BatchTransport transport = new BatchTransport(inside, description, stream -> {
            try {
                return api.carry(stream);
            } catch (HaproxyUnreachableException e) {
                throw e;
            } catch (HapcertException e) {
                throw new HaproxyUnreachableException(e.getMessage(), e);
            }
        }, () -> { });
        return RuntimeApiClient.over(transport, timeouts);
    }

    /**
     * Through socat in the container, streamed; empty when the exec ended without a Runtime API answering (no socat,
     * a wrong socket path), which the exec per exchange then explains. An HAProxy that does not answer through a live
     * exec is reported as it is: asking again another way would only double the wait.
     */
    private Optional<RuntimeApiClient> openStreamed(String socketInContainer, RuntimeApiAddress inside,
                                                    String description, RuntimeApiTimeouts timeouts)
            throws HaproxyUnreachableException {
        List<String> argv = RuntimeApiTool.SOCAT_ON_PATH.argv(socketInContainer);
        if (relay == null) {
            try {
                relay = ExecRelay.start(engine.execChannel(container), argv);
            } catch (HaproxyUnreachableException noLocalSocket) {
                return Optional.empty();
            }
        }
        int ended = relay.execsEnded();
        try {
            return Optional.of(RuntimeApiClient.over(RelayedTransport.open(relay, inside, description, timeouts),
                    timeouts));
        } catch (HaproxyUnreachableException e) {
            if (relay.execsEnded() == ended) {
                throw e;
            }
            return Optional.empty();
        }
    }

    /**
     * The reload fallback: {@code haproxy -c} in the container, then SIGUSR2 to a master-worker HAProxy or a restart
     * of the container. See {@link ContainerReload#checkAndReload}.
     */
    public String checkAndReload(Optional<String> fallbackConfig, Duration timeout) throws HapcertException {
        return new ContainerReload(engine, engine.execChannel(container)).checkAndReload(fallbackConfig, true, timeout);
    }

    /** A channel that runs commands in the container, e.g. to detect its tools. */
    public ExecChannel execChannel() {
        return engine.execChannel(container);
    }

    @Override
    public void close() {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            engine.close();
        }
    }

    @Override
    public String toString() {
        return "ContainerTarget[" + container.describe() + " on " + engine.address() + "]";
    }
}
