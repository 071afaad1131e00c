package dev.hapcert.config;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An HAProxy running in a container whose Runtime API socket is only reachable inside the container, through
 * the Docker Engine API ({@code exec}). Parsed and carried here; the transport lives elsewhere.
 *
 * @param container name or id of the container, or {@code label=key=value} for the one running container with
 *     that label
 * @param engineHost the engine's address as in {@code DOCKER_HOST} ({@code unix:///var/run/docker.sock},
 *     {@code tcp://host:2375}); empty means {@code DOCKER_HOST}, else {@code unix:///var/run/docker.sock}
 * @param socketInContainer absolute path of HAProxy's stats socket inside the container
 */
public record DockerTarget(String container, Optional<String> engineHost, String socketInContainer) {
    // Docker's own rule for container names; ids are hex and match it too.
    private static final Pattern CONTAINER = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    // label=key=value: the one running container carrying that label (compose and swarm name containers unpredictably).
    private static final Pattern LABEL = Pattern.compile("label=[^=\\s]+=\\S*");

    public DockerTarget {
        Objects.requireNonNull(engineHost, "engineHost");
        if (container == null || !(CONTAINER.matcher(container).matches() || LABEL.matcher(container).matches())) {
            throw new InvalidSettingException("docker.container", "must be a container name or id"
                    + " ([a-zA-Z0-9][a-zA-Z0-9_.-]*) or label=key=value, got " + quote(container));
        }
        engineHost.ifPresent(host -> {
            if (!host.matches("(unix|tcp|http|https)://\\S+")) {
                throw new InvalidSettingException("docker.engine-host",
                        "must look like unix:///var/run/docker.sock or tcp://host:2375, got " + quote(host));
            }
        });
        if (socketInContainer == null || !socketInContainer.startsWith("/")) {
            throw new InvalidSettingException("docker.socket-in-container",
                    "must be an absolute path inside the container, got " + quote(socketInContainer));
        }
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }
}
