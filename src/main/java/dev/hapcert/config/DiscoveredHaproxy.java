package dev.hapcert.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What zero-config discovery found in a haproxy.cfg.
 *
 * @param configFile the haproxy.cfg read
 * @param target the one target derived from it
 * @param crtBase the {@code crt-base} of {@code global}, if any
 * @param directCrtBinds bind lines that name certificates with {@code crt} directly; HAProxy can replace those
 *     certificates at runtime but cannot add new ones next to them ({@code doctor} reports them)
 * @param notes things the operator should know about how the file was read (e.g. {@code .if} blocks)
 */
public record DiscoveredHaproxy(Path configFile, TargetConfig target, Optional<String> crtBase,
        List<DirectCrtBind> directCrtBinds, List<String> notes) {

    /**
     * A {@code bind} line using {@code crt}.
     *
     * @param lineNumber 1-based line in {@link #configFile()}
     * @param section e.g. {@code frontend https}
     * @param address the bind address as written
     * @param certificates each {@code crt} argument as HAProxy resolves it ({@code crt-base} applied)
     */
    public record DirectCrtBind(int lineNumber, String section, String address, List<String> certificates) {
        public DirectCrtBind {
            certificates = List.copyOf(certificates);
        }
    }

    public DiscoveredHaproxy {
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(crtBase, "crtBase");
        directCrtBinds = List.copyOf(directCrtBinds);
        notes = List.copyOf(notes);
    }

    /** The discovered target as a configuration with no source file. */
    public HapcertConfig toConfig() {
        return new HapcertConfig(List.of(target), null);
    }
}
