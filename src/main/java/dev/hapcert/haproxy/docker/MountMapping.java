package dev.hapcert.haproxy.docker;

import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Maps paths between the container's view and this host's, through the container's mounts. Files are written on
 * the host into the mounted directory; certificate names go to HAProxy in the container's view. Assumes the
 * engine runs on this host (a unix socket or a local TCP engine): a remote engine's mount sources are not ours.
 */
public final class MountMapping {
    private final String container;
    private final List<ContainerMount> mounts;

    public MountMapping(String containerDescription, List<ContainerMount> mounts) {
        this.container = containerDescription;
        // Longest destination first, so /etc/haproxy/certs wins over /etc/haproxy for paths under both.
        this.mounts = mounts.stream()
                .filter(ContainerMount::hasHostSource)
                .sorted(Comparator.comparingInt((ContainerMount m) -> m.destination().length()).reversed())
                .toList();
    }

    public static MountMapping of(ContainerInspection inspection) {
        return new MountMapping(inspection.describe(), inspection.mounts());
    }

    /** The mount whose destination holds {@code containerPath}, if any. */
    public Optional<ContainerMount> mountFor(String containerPath) {
        String p = normalize(containerPath);
        return mounts.stream().filter(m -> under(p, normalize(m.destination()))).findFirst();
    }

    /**
     * The host path of a file the container sees at {@code containerPath}, for writing it.
     *
     * @throws ConfigException when no mount holds the path or the mount is read-only: nothing can be written
     */
    public Path hostPathForWrite(String containerPath) throws ConfigException {
        ContainerMount m = mountFor(containerPath).orElseThrow(() -> new ConfigException(
                "container " + container + " path " + containerPath + " is not on a bind mount, so hapcert cannot"
                        + " write it from the host: bind-mount its directory (docker run -v /host/dir:"
                        + parentOf(containerPath) + ")"));
        if (!m.readWrite()) {
            throw new ConfigException("container " + container + " mounts " + m.destination()
                    + " read-only, so " + containerPath + " cannot be written through " + m.source());
        }
        return translate(normalize(containerPath), m);
    }

    /**
     * The path the container sees for a host file, for naming certificates to HAProxy.
     *
     * @throws ConfigException when the host path lies under no mount source
     */
    public String containerPathFor(Path hostPath) throws ConfigException {
        String h = normalize(hostPath.toAbsolutePath().normalize().toString());
        return mounts.stream()
                .filter(m -> under(h, normalize(m.source())))
                .max(Comparator.comparingInt((ContainerMount m) -> m.source().length()))
                .map(m -> {
                    String rest = h.substring(normalize(m.source()).length());
                    String dest = normalize(m.destination());
                    return rest.isEmpty() ? dest : (dest.equals("/") ? "" : dest) + rest;
                })
                .orElseThrow(() -> new ConfigException("host path " + hostPath + " is not inside any mount of"
                        + " container " + container + ", so HAProxy there cannot read it"));
    }

    /**
     * The host path of HAProxy's stats socket when the socket file inside the container lies on a bind mount
     * and exists on this host as a socket: then hapcert connects to it directly instead of an exec per batch.
     */
    public Optional<Path> hostSocket(String containerSocketPath) {
        return mountFor(containerSocketPath).map(m -> translate(normalize(containerSocketPath), m)).filter(p -> {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                // The JDK reports unix sockets as "other": neither file, directory nor link.
                return a.isOther();
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static Path translate(String containerPath, ContainerMount m) {
        String dest = normalize(m.destination());
        String rest = dest.equals("/") ? containerPath : containerPath.substring(dest.length());
        return Path.of(m.source() + rest).normalize();
    }

    private static boolean under(String path, String dir) {
        return dir.equals("/") || path.equals(dir) || path.startsWith(dir + "/");
    }

    private static String normalize(String p) {
        if (!p.startsWith("/")) {
            throw new IllegalArgumentException("container and mount paths must be absolute: " + p);
        }
        String n = Path.of(p).normalize().toString();
        return n.length() > 1 && n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
    }

    private static String parentOf(String containerPath) {
        Path parent = Path.of(containerPath).getParent();
        return parent == null ? "/" : parent.toString();
    }
}
