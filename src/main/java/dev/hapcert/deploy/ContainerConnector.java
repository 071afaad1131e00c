package dev.hapcert.deploy;

import dev.hapcert.config.DockerTarget;
import dev.hapcert.config.PathMapping;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.RuntimeApiTimeouts;
import dev.hapcert.haproxy.docker.ContainerMount;
import dev.hapcert.haproxy.docker.ContainerTarget;
import dev.hapcert.haproxy.docker.DockerEngine;
import dev.hapcert.haproxy.docker.MountMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Resolves a {@code docker} target: the engine ({@code engine-host}, else {@code DOCKER_HOST}, else the default
 * socket), the running container, the path mapping from its mounts when the configuration gives no {@code paths},
 * and the Runtime API: the stats socket itself when it is bind-mounted to this host, else an exec of socat in the
 * container. Only this class (and {@code dev.hapcert.haproxy.docker}) touches the engine's client library.
 */
final class ContainerConnector {
    /** Read ahead at most this many certificates: one exec answers them all, but the reply must stay small. */
    static final int READ_AHEAD_CERTIFICATES = 500;

    private ContainerConnector() {
    }

    static TargetConnector.Resolved resolve(TargetConfig target, DockerTarget docker, List<String> certNames,
                                            Consumer<String> notices, Map<String, String> env) throws HapcertException {
        String engineAddress = DockerEngine.resolveAddress(docker.engineHost().orElse(null), env);
        ContainerTarget container = ContainerTarget.connect(engineAddress, docker.container());
        try {
            TargetConfig effective = target.paths().mounts().isEmpty() ? mapped(target, container.mounts(),
                    container.container().describe()) : target;
            Optional<String> configInContainer = configInContainer(effective, container.mounts());
            Optional<TargetConnector.EngineReload> reload = Optional.of(
                    timeout -> container.checkAndReload(configInContainer, timeout));
            RuntimeApiClient client = null;
            try {
                String how;
                if (!target.runtimeApi().equals(docker.socketInContainer())) {
                    // runtime-api set apart from the socket in the container: an address this host reaches itself.
                    client = TargetConnector.open(target);
                    how = "its Runtime API at " + target.runtimeApi();
                } else if (container.hostSocket(docker.socketInContainer()).isPresent()) {
                    client = container.openRuntimeApi(docker.socketInContainer(), target.masterCli(), RuntimeApiTimeouts.DEFAULT);
                    how = "its stats socket, bind-mounted at " + container.hostSocket(docker.socketInContainer()).get();
                } else {
                    client = container.openRuntimeApi(docker.socketInContainer(), target.masterCli(), RuntimeApiTimeouts.DEFAULT);
                    how = docker.socketInContainer() + " through an exec in the container";
                    // Each exchange costs an exec: what the session will observe first is fetched in one.
                    client.readAhead(observeCommands(effective, certNames));
                }
                notices.accept(target.name() + ": HAProxy in container " + container.container().describe() + " on "
                        + engineAddress + " (API " + container.apiVersion() + "), reached through " + how);
                return new TargetConnector.Resolved(effective, client, null, reload, container);
            } catch (HaproxyUnreachableException e) {
                if (client != null) {
                    client.close();
                }
                return new TargetConnector.Resolved(effective, null, e, reload, container);
            }
        } catch (HapcertException | RuntimeException e) {
            container.close();
            throw e;
        }
    }

    /**
     * The target with {@code paths} taken from the mounts that hold its crt-list and certificate directory. Fails,
     * before anything is written, when a path is on no bind mount, on a read-only one, or when the mount's source is
     * not a directory here (hapcert runs in another container or on another machine than the engine).
     */
    static TargetConfig mapped(TargetConfig target, MountMapping mounts, String container) throws ConfigException {
        Map<String, PathMapping.Mount> used = new LinkedHashMap<>();
        for (String path : List.of(target.crtList(), target.certDir())) {
            mounts.hostPathForWrite(path);
            ContainerMount m = mounts.mountFor(path).orElseThrow();
            Path source = Path.of(m.source());
            if (!Files.isDirectory(source)) {
                throw new ConfigException("container " + container + " mounts " + m.destination() + " from " + source
                        + ", which is not a directory on this host: hapcert seems to run in another container or on"
                        + " another machine than the engine; mount the same directory into hapcert's container and set"
                        + " 'paths' for this target ({ haproxy: " + m.destination() + ", host: <where hapcert sees it> })");
            }
            used.putIfAbsent(m.destination(), new PathMapping.Mount(m.destination(), source));
        }
        return target.withPaths(new PathMapping(new ArrayList<>(used.values())));
    }

    /** {@code haproxy-config} as the container sees it, when it lies on a mount; the reload checks it if HAProxy's command line names none. */
    private static Optional<String> configInContainer(TargetConfig target, MountMapping mounts) {
        if (target.haproxyConfig().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(mounts.containerPathFor(target.haproxyConfig().get()));
        } catch (ConfigException e) {
            return Optional.empty();
        }
    }

    /** What a session asks first: the store listing, the crt-list, and each certificate's details. */
    private static List<Command> observeCommands(TargetConfig target, List<String> certNames) {
        List<Command> commands = new ArrayList<>();
        commands.add(Command.of("show", "ssl", "cert"));
        commands.add(Command.of("show", "ssl", "crt-list", "-n", target.crtList()));
        certNames.stream().limit(READ_AHEAD_CERTIFICATES).forEach(n -> commands.add(Command.of("show", "ssl", "cert", n)));
        return commands;
    }
}
