/**
 * Reaching an HAProxy that runs in a Docker (or Podman) container through the Docker Engine API.
 *
 * <p>{@link dev.hapcert.haproxy.docker.ContainerTarget} is the entry point the deployer uses: one running container,
 * its mounts, its Runtime API (the bind-mounted socket directly; else a connection per exec, streamed through an
 * {@link dev.hapcert.haproxy.docker.ExecRelay}; where socat does not connect that way, a
 * {@link dev.hapcert.haproxy.BatchTransport} with an exec per exchange) and its reload. {@link dev.hapcert.haproxy.docker.DockerEngine} connects to the engine and negotiates the API version;
 * {@link dev.hapcert.haproxy.docker.ContainerInspection} and {@link dev.hapcert.haproxy.docker.MountMapping}
 * say where the container's files live on this host; {@link dev.hapcert.haproxy.docker.ContainerRuntimeApi}
 * speaks to HAProxy's stats socket through an exec in the container (payloads on the exec's stdin, never in
 * its arguments); {@link dev.hapcert.haproxy.docker.ContainerReload} is the reload fallback.
 *
 * <p>This is the only package that references the Docker client library, so its classes load only for docker
 * targets: the plain-socket path must never touch it.
 */
package dev.hapcert.haproxy.docker;
