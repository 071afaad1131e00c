package dev.hapcert.haproxy.docker;

/**
 * One mount of a container as the engine's inspect reports it: {@code source} on the engine's host,
 * {@code destination} inside the container. Only bind mounts have a source this host can write into; volumes
 * report the engine's own storage path.
 */
public record ContainerMount(String type, String source, String destination, boolean readWrite) {
    public ContainerMount {
        if (destination == null || !destination.startsWith("/")) {
            throw new IllegalArgumentException("mount destination must be an absolute container path: " + destination);
        }
        type = type == null ? "" : type;
    }

    /** Bind mounts (and volumes, whose source is a host directory too when the engine runs on this host). */
    public boolean hasHostSource() {
        return source != null && source.startsWith("/");
    }
}
