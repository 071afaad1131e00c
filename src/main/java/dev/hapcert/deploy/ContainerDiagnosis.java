package dev.hapcert.deploy;

import dev.hapcert.config.DockerTarget;
import dev.hapcert.config.PathMapping;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.ContainerFinding.Check;
import dev.hapcert.deploy.ContainerFinding.Status;
import dev.hapcert.error.HapcertException;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.RuntimeApiTimeouts;
import dev.hapcert.haproxy.docker.ContainerInspection;
import dev.hapcert.haproxy.docker.ContainerRef;
import dev.hapcert.haproxy.docker.ContainerRuntimeApi;
import dev.hapcert.haproxy.docker.ContainerTarget;
import dev.hapcert.haproxy.docker.DockerEngine;
import dev.hapcert.haproxy.docker.RuntimeApiTool;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks the wiring of a {@code docker} target without changing anything, for {@code hapcert doctor}: the engine
 * answers and speaks a common API version, the container runs, the crt-list and certificate directory map to
 * writable host directories, the image has a tool to reach the stats socket (unless the socket is bind-mounted),
 * and HAProxy answers there at level admin. Read-only: no file is written and no certificate command is sent.
 */
public final class ContainerDiagnosis {
    private ContainerDiagnosis() {
    }

    /**
     * @param target a target with {@link TargetConfig#docker()} present
     * @param env the environment ({@code DOCKER_HOST} is read from it)
     * @return one finding per {@link Check}, in order; checks after a failed prerequisite are {@code SKIPPED}
     */
    public static List<ContainerFinding> diagnose(TargetConfig target, Map<String, String> env) {
        DockerTarget docker = target.docker().orElseThrow(() -> new IllegalArgumentException(
                "target " + target.name() + " has no docker section"));
        List<ContainerFinding> findings = new ArrayList<>();
        String address = DockerEngine.resolveAddress(docker.engineHost().orElse(null), env);
        DockerEngine engine;
        try {
            engine = DockerEngine.connect(address);
            findings.add(ContainerFinding.ok(Check.ENGINE, "engine at " + address + " answers; API " + engine.apiVersion()));
        } catch (HapcertException e) {
            findings.add(new ContainerFinding(Check.ENGINE, Status.FAIL, e.getMessage(), "start the engine or set"
                    + " docker.engine-host / DOCKER_HOST to where it listens"));
            return skipRest(findings, "the engine is unreachable");
        }
        try (ContainerTarget container = ContainerTarget.of(engine, engine.inspect(ContainerRef.parse(docker.container())))) {
            ContainerInspection c = container.container();
            if (!c.running()) {
                findings.add(new ContainerFinding(Check.CONTAINER, Status.FAIL, "container " + c.describe()
                        + " is not running (status " + c.status() + ")", "start it: docker start " + c.name()));
                return skipRest(findings, "the container does not run");
            }
            findings.add(ContainerFinding.ok(Check.CONTAINER, "container " + c.describe() + " runs "
                    + String.join(" ", c.command())));
            findings.add(mounts(target, container));
            boolean socketMounted = container.hostSocket(docker.socketInContainer()).isPresent();
            findings.add(tools(container, docker, socketMounted));
            findings.add(socket(target, docker, container, socketMounted, findings.get(findings.size() - 1)));
            return findings;
        } catch (HapcertException e) {
            engine.close();
            findings.add(new ContainerFinding(Check.CONTAINER, Status.FAIL, e.getMessage(),
                    "name the container by its name, id or label=key=value (docker ps lists them)"));
            return skipRest(findings, "the container was not found");
        }
    }

    private static ContainerFinding mounts(TargetConfig target, ContainerTarget container) {
        try {
            TargetConfig effective = target.paths().mounts().isEmpty()
                    ? ContainerConnector.mapped(target, container.mounts(), container.container().describe()) : target;
            for (String p : List.of(target.crtList(), target.certDir())) {
                if (!Files.isDirectory(effective.paths().toHost(p).getParent())) {
                    return new ContainerFinding(Check.MOUNTS, Status.FAIL, p + " maps to " + effective.paths().toHost(p)
                            + ", whose directory does not exist on this host", "check the 'paths' of this target");
                }
            }
            String how = effective.paths().mounts().stream().map(m -> m.haproxyPath() + " = " + m.hostPath())
                    .collect(Collectors.joining(", "));
            return ContainerFinding.ok(Check.MOUNTS, (target.paths().mounts().isEmpty() ? "from the container's mounts: "
                    : "from 'paths': ") + how);
        } catch (HapcertException e) {
            return new ContainerFinding(Check.MOUNTS, Status.FAIL, e.getMessage(),
                    "bind-mount the directories of crt-list and cert-dir read-write, or set 'paths'");
        }
    }

    private static ContainerFinding tools(ContainerTarget container, DockerTarget docker, boolean socketMounted) {
        try {
            Optional<RuntimeApiTool> tool = ContainerRuntimeApi.detectTool(container.execChannel());
            if (tool.isPresent()) {
                return ContainerFinding.ok(Check.TOOLS, tool.get().kind().command() + " at " + tool.get().executable());
            }
            if (socketMounted) {
                return new ContainerFinding(Check.TOOLS, Status.OK, "no socat in the image; not needed: the stats"
                        + " socket is bind-mounted to this host", "");
            }
            return new ContainerFinding(Check.TOOLS, Status.FAIL, "the image has no socat (nor nc with -U) to reach "
                    + docker.socketInContainer(), "install socat in the image, or bind-mount the stats socket's"
                    + " directory to the host");
        } catch (HapcertException e) {
            return new ContainerFinding(Check.TOOLS, Status.FAIL, e.getMessage(), "");
        }
    }

    private static ContainerFinding socket(TargetConfig target, DockerTarget docker, ContainerTarget container,
                                           boolean socketMounted, ContainerFinding tools) {
        if (!socketMounted && tools.status() == Status.FAIL) {
            return ContainerFinding.skipped(Check.SOCKET, "no way to reach the stats socket");
        }
        try (RuntimeApiClient client = container.openRuntimeApi(docker.socketInContainer(), target.masterCli(),
                RuntimeApiTimeouts.DEFAULT)) {
            String version = client.version();
            client.showSslCerts(); // refused below level admin
            return ContainerFinding.ok(Check.SOCKET, "HAProxy " + version + " answers at level admin on "
                    + client.description() + (socketMounted ? " (bind-mounted: used directly)" : ""));
        } catch (HapcertException e) {
            return new ContainerFinding(Check.SOCKET, Status.FAIL, e.getMessage(), "check docker.socket-in-container"
                    + " against the 'stats socket' line of HAProxy's configuration (level admin)");
        }
    }

    private static List<ContainerFinding> skipRest(List<ContainerFinding> findings, String because) {
        for (Check c : Check.values()) {
            if (findings.stream().noneMatch(f -> f.check() == c)) {
                findings.add(ContainerFinding.skipped(c, because));
            }
        }
        return findings;
    }
}
