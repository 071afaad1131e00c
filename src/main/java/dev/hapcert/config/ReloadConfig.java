package dev.hapcert.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reload HAProxy when its Runtime API cannot be reached. A reload is only a fallback: the files are
 * already on disk, and a reload makes HAProxy read all of them again (slow with many certificates, memory
 * doubles while the old worker drains). Before any reload hapcert checks the configuration with
 * {@code haproxyBinary -c}, so a broken file never takes a running HAProxy down.
 *
 * @param method how to trigger the reload
 * @param command for {@link Method#COMMAND}: a shell command, e.g. {@code systemctl reload haproxy}
 * @param pidFile for {@link Method#SIGNAL}: the master process's pid file (master-worker mode)
 * @param masterSocket for {@link Method#MASTER_CLI}: the master CLI address ({@code haproxy -S})
 * @param haproxyBinary the haproxy executable used for {@code haproxy -c}
 */
public record ReloadConfig(Method method, Optional<String> command, Optional<Path> pidFile,
        Optional<String> masterSocket, Path haproxyBinary) {

    /** The ways to make HAProxy reload. */
    public enum Method {
        /** {@code reload} on the master CLI; needs {@code masterSocket}. */
        MASTER_CLI,
        /** Run {@code command} through {@code /bin/sh -c}. */
        COMMAND,
        /** Send SIGUSR2 to the master process named in {@code pidFile} (master-worker mode). */
        SIGNAL,
        /**
         * For a {@code docker} target, through the engine: {@code haproxy -c} inside the container, then SIGUSR2 to a
         * master-worker HAProxy, or else a restart of the container. Needs no other setting.
         */
        CONTAINER
    }

    /** Where Debian, Ubuntu, RHEL and the official image install HAProxy. */
    public static final Path DEFAULT_HAPROXY_BINARY = Path.of("/usr/sbin/haproxy");

    public ReloadConfig {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(pidFile, "pidFile");
        Objects.requireNonNull(masterSocket, "masterSocket");
        if (haproxyBinary == null || !haproxyBinary.isAbsolute()) {
            throw new InvalidSettingException("reload.haproxy-binary",
                    "must be an absolute path, got " + (haproxyBinary == null ? "nothing" : "'" + haproxyBinary + "'"));
        }
        requireOnlyFor(method, Method.COMMAND, "reload.command", command.isPresent());
        requireOnlyFor(method, Method.SIGNAL, "reload.pid-file", pidFile.isPresent());
        requireOnlyFor(method, Method.MASTER_CLI, "reload.master-socket", masterSocket.isPresent());
        command.ifPresent(c -> {
            if (c.isBlank()) {
                throw new InvalidSettingException("reload.command", "is empty");
            }
        });
        pidFile.ifPresent(p -> {
            if (!p.isAbsolute()) {
                throw new InvalidSettingException("reload.pid-file", "must be an absolute path, got '" + p + "'");
            }
        });
        masterSocket.ifPresent(s -> AddressCheck.problem(s).ifPresent(problem -> {
            throw new InvalidSettingException("reload.master-socket", problem);
        }));
    }

    // Each method needs exactly its own setting; another method's setting is almost certainly a mistake.
    private static void requireOnlyFor(Method actual, Method owner, String key, boolean present) {
        if (actual == owner && !present) {
            throw new InvalidSettingException(key, "is required for method " + yamlName(owner));
        }
        if (actual != owner && present) {
            throw new InvalidSettingException(key, "only applies to method " + yamlName(owner)
                    + ", but the method is " + yamlName(actual));
        }
    }

    /** The method as written in hapcert.yml: {@code master-cli}, {@code command}, {@code signal}. */
    public static String yamlName(Method method) {
        return method.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
