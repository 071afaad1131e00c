package dev.hapcert.config;

import dev.hapcert.error.ConfigException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Translates between the paths HAProxy knows (in haproxy.cfg, crt-lists and Runtime API certificate names) and
 * the paths of the same files on the host where hapcert runs. They differ when HAProxy runs in a container with
 * bind mounts; with no mounts both views are the same.
 *
 * @param mounts directories mapped between both views; the longest matching prefix wins, like mount points
 */
public record PathMapping(List<Mount> mounts) {

    /**
     * One directory seen from both sides.
     *
     * @param haproxyPath absolute directory as HAProxy sees it, e.g. {@code /usr/local/etc/haproxy}
     * @param hostPath the same directory on this host, absolute
     */
    public record Mount(String haproxyPath, Path hostPath) {
        public Mount {
            if (haproxyPath == null || !haproxyPath.startsWith("/")) {
                throw new InvalidSettingException("paths.haproxy",
                        "must be an absolute path as HAProxy sees it, got " + quote(haproxyPath));
            }
            if (hostPath == null || !hostPath.isAbsolute()) {
                throw new InvalidSettingException("paths.host",
                        "must be an absolute path on this host, got " + quote(hostPath));
            }
            haproxyPath = normalize(haproxyPath);
            hostPath = hostPath.normalize();
        }
    }

    /** No mounts: HAProxy and hapcert see the same paths. */
    public static final PathMapping IDENTITY = new PathMapping(List.of());

    public PathMapping {
        mounts = List.copyOf(mounts);
        Set<String> seen = new HashSet<>();
        for (Mount m : mounts) {
            if (!seen.add(m.haproxyPath())) {
                throw new InvalidSettingException("paths", "maps " + m.haproxyPath() + " twice");
            }
        }
    }

    /** Whether {@link #toHost} can translate this HAProxy path. */
    public boolean covers(String haproxyPath) {
        return mounts.isEmpty() || (haproxyPath.startsWith("/") && longestHaproxyMatch(normalize(haproxyPath)).isPresent());
    }

    /** The host path of a file HAProxy knows as {@code haproxyPath}. */
    public Path toHost(String haproxyPath) throws ConfigException {
        if (haproxyPath == null || !haproxyPath.startsWith("/")) {
            throw new ConfigException("HAProxy's path " + quote(haproxyPath)
                    + " is relative; hapcert only works with absolute paths");
        }
        String normalized = normalize(haproxyPath);
        if (mounts.isEmpty()) {
            return Path.of(normalized);
        }
        Mount m = longestHaproxyMatch(normalized).orElseThrow(() -> new ConfigException(
                "HAProxy's path " + haproxyPath + " is not under any mapped directory (mapped: "
                        + mounts.stream().map(Mount::haproxyPath).collect(Collectors.joining(", ")) + ")"));
        String rest = relative(m.haproxyPath(), normalized);
        return rest.isEmpty() ? m.hostPath() : m.hostPath().resolve(rest);
    }

    /** The path HAProxy uses for the host file {@code hostPath}. */
    public String toHaproxy(Path hostPath) throws ConfigException {
        if (hostPath == null || !hostPath.isAbsolute()) {
            throw new ConfigException("host path " + quote(hostPath) + " is relative; hapcert only works with absolute paths");
        }
        String normalized = hostPath.normalize().toString();
        if (mounts.isEmpty()) {
            return normalized;
        }
        Mount best = null;
        for (Mount m : mounts) {
            String base = m.hostPath().toString();
            if (isUnder(base, normalized) && (best == null || base.length() > best.hostPath().toString().length())) {
                best = m;
            }
        }
        if (best == null) {
            throw new ConfigException("host path " + hostPath + " is not under any mapped directory (mapped: "
                    + mounts.stream().map(m -> m.hostPath().toString()).collect(Collectors.joining(", ")) + ")");
        }
        String rest = relative(best.hostPath().toString(), normalized);
        if (rest.isEmpty()) {
            return best.haproxyPath();
        }
        return best.haproxyPath().equals("/") ? "/" + rest : best.haproxyPath() + "/" + rest;
    }

    private Optional<Mount> longestHaproxyMatch(String normalized) {
        Mount best = null;
        for (Mount m : mounts) {
            if (isUnder(m.haproxyPath(), normalized)
                    && (best == null || m.haproxyPath().length() > best.haproxyPath().length())) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    // Component-wise prefix: /etc/haproxy covers /etc/haproxy/x but not /etc/haproxy2/x.
    private static boolean isUnder(String base, String path) {
        return base.equals("/") || path.equals(base) || path.startsWith(base + "/");
    }

    private static String relative(String base, String path) {
        if (path.equals(base)) {
            return "";
        }
        return base.equals("/") ? path.substring(1) : path.substring(base.length() + 1);
    }

    // HAProxy's paths are POSIX paths whatever this JVM's file system is; "//" and "/./" collapse like the kernel does.
    static String normalize(String absolute) {
        return Path.of(absolute).normalize().toString();
    }

    private static String quote(Object o) {
        return o == null ? "nothing" : "'" + o + "'";
    }
}
