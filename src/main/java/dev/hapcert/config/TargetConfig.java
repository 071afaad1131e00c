package dev.hapcert.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * One HAProxy instance: how to reach its Runtime API and where its certificate files live.
 *
 * <p>Paths typed {@code String} are as HAProxy sees them (they are also the names the Runtime API uses);
 * {@code Path}s are on this host. {@link #paths()} translates between the two.
 *
 * @param name unique, short, used in reports and lock file names ({@code [A-Za-z0-9][A-Za-z0-9._-]*})
 * @param runtimeApi address as written in haproxy.cfg's {@code stats socket}: {@code /path}, {@code unix@/path},
 *     {@code ipv4@host:port}, {@code host:port}; inside the container for {@link #docker()} targets
 * @param masterCli whether {@code runtimeApi} is the master CLI ({@code haproxy -S}); commands then go to
 *     the current worker with an {@code @1} prefix
 * @param crtList the crt-list that new certificates are added to, absolute, as written after {@code crt-list}
 * @param certDir where certificate bundles are written, absolute
 * @param paths translation between HAProxy's paths and this host's
 * @param files mode and group of the written files
 * @param reload fallback when the Runtime API is unreachable; empty means fail instead
 * @param haproxyConfig haproxy.cfg on this host, for {@code haproxy -c} checks
 * @param sslOptions options for new crt-list lines, e.g. {@code [alpn h2,http/1.1]}; {@code ""} for none
 * @param onLeftoverTransaction what to do with a certificate transaction left open by a crashed deployer
 * @param lockFile serializes hapcert runs against this HAProxy (it has one global certificate transaction)
 * @param docker set when HAProxy runs in a container reached through the Docker Engine API
 * @param payloadLimit the largest Runtime API command with its payload this HAProxy accepts: its
 *     {@code tune.bufsize} (16384 by default); larger bundles go as certificates plus a separate key payload
 * @param issuersChainPath HAProxy's {@code issuers-chain-path}, absolute, when it has one: HAProxy completes a
 *     bundle without its chain from the files there, so bundles whose exact chain is there are written without it
 */
public record TargetConfig(String name, String runtimeApi, boolean masterCli, String crtList, String certDir,
        PathMapping paths, FileOwnership files, Optional<ReloadConfig> reload, Optional<Path> haproxyConfig,
        String sslOptions, LeftoverTransactionPolicy onLeftoverTransaction, Path lockFile,
        Optional<DockerTarget> docker, int payloadLimit, Optional<String> issuersChainPath) {

    /** HAProxy's default {@code tune.bufsize}. */
    public static final int DEFAULT_PAYLOAD_LIMIT = 16_384;

    /** The longest target name. */
    static final int MAX_NAME = 63;

    public TargetConfig {
        Objects.requireNonNull(paths, "paths");
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(reload, "reload");
        Objects.requireNonNull(haproxyConfig, "haproxyConfig");
        Objects.requireNonNull(onLeftoverTransaction, "onLeftoverTransaction");
        Objects.requireNonNull(docker, "docker");
        Objects.requireNonNull(issuersChainPath, "issuersChainPath");
        if (name == null || !isTargetName(name)) {
            throw new InvalidSettingException("name", "must be 1-63 letters, digits, '.', '_' or '-' (starting with"
                    + " a letter or digit), got " + quote(name));
        }
        AddressCheck.problem(runtimeApi).ifPresent(problem -> {
            throw new InvalidSettingException("runtime-api", problem);
        });
        requireHaproxyPath("crt-list", crtList, paths);
        requireHaproxyPath("cert-dir", certDir, paths);
        if (certDir.chars().anyMatch(Character::isWhitespace)) {
            // crt-list lines have no quoting: a certificate path with a space cannot be listed.
            throw new InvalidSettingException("cert-dir", "contains white space, which a crt-list line cannot"
                    + " express: '" + certDir + "'");
        }
        haproxyConfig.ifPresent(p -> requireAbsolute("haproxy-config", p));
        if (lockFile == null) {
            throw new InvalidSettingException("lock-file", "is missing");
        }
        requireAbsolute("lock-file", lockFile);
        sslOptions = checkSslOptions(sslOptions);
        issuersChainPath.ifPresent(p -> requireHaproxyPath("issuers-chain-path", p, paths));
        if (payloadLimit < 4_096 || payloadLimit > 16 * 1024 * 1024) {
            throw new InvalidSettingException("payload-limit", "must be HAProxy's tune.bufsize in bytes, between 4096"
                    + " and 16777216, got " + payloadLimit);
        }
    }

    /** The same target with other path mapping (a container's mounts, found when the target is resolved). */
    public TargetConfig withPaths(PathMapping mapped) {
        return new TargetConfig(name, runtimeApi, masterCli, crtList, certDir, mapped, files, reload, haproxyConfig,
                sslOptions, onLeftoverTransaction, lockFile, docker, payloadLimit, issuersChainPath);
    }

    /**
     * The lock file used when {@code lock-file} is not set: {@code /run/lock/hapcert/<name>-<hash>.lock} when
     * {@code /run/lock} is writable, else under {@code java.io.tmpdir}. The hash of the Runtime API address
     * keeps two HAProxies apart that share a target name in different configurations, while the same HAProxy
     * reached through the same address always gets the same lock.
     */
    public static Path defaultLockFile(String name, String runtimeApi) {
        String file = name + "-" + shortHash(runtimeApi) + ".lock";
        Path runLock = Path.of("/run/lock");
        Path base = Files.isDirectory(runLock) && Files.isWritable(runLock)
                ? runLock : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("hapcert").resolve(file);
    }

    /**
     * Eight hex digits of the address's CRC-32: enough to keep apart the few HAProxies of one host, and, unlike a
     * cryptographic digest, free of the JDK's security-provider start-up, which costs the deploy hook milliseconds
     * on a path that has none to spare. Nothing here needs to resist a forger: the lock only orders hapcert runs.
     */
    private static String shortHash(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        String hex = Long.toHexString(crc.getValue());
        return "0".repeat(8 - hex.length()) + hex;
    }

    /** {@code [A-Za-z0-9][A-Za-z0-9._-]{0,62}}, checked without the regex engine (see DesiredCertificate). */
    private static boolean isTargetName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME || !isAlphanumeric(name.charAt(0))) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isNameCharacter(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A character a target name may hold: an ASCII letter or digit, '.', '_' or '-'. */
    static boolean isNameCharacter(char c) {
        return isAlphanumeric(c) || c == '.' || c == '_' || c == '-';
    }

    /** An ASCII letter or digit: what a target name starts with. */
    static boolean isAlphanumeric(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
    }

    /** Checks crt-list options and returns them trimmed: "" or one {@code [...]} group on one line. */
    static String checkSslOptions(String options) {
        String s = options == null ? "" : options.strip();
        if (s.isEmpty()) {
            return s;
        }
        boolean oneGroup = s.startsWith("[") && s.endsWith("]")
                && s.indexOf('[', 1) < 0 && s.indexOf(']') == s.length() - 1;
        if (!oneGroup || s.substring(1, s.length() - 1).isBlank() || s.contains("\n") || s.contains("\r")) {
            throw new InvalidSettingException("ssl-options", "must be one bracketed group of crt-list options"
                    + " like \"[alpn h2,http/1.1]\", got '" + options + "'");
        }
        return s;
    }

    private static void requireHaproxyPath(String key, String path, PathMapping paths) {
        if (path == null || !path.startsWith("/")) {
            throw new InvalidSettingException(key, "must be an absolute path as HAProxy sees it, got " + quote(path));
        }
        if (!paths.covers(path)) {
            throw new InvalidSettingException(key, "'" + path + "' is not under any directory listed in 'paths'");
        }
    }

    private static void requireAbsolute(String key, Path path) {
        if (!path.isAbsolute()) {
            throw new InvalidSettingException(key, "must be an absolute path, got '" + path + "'");
        }
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }
}
