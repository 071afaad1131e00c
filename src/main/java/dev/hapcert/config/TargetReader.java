package dev.hapcert.config;

import dev.hapcert.error.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns one merged {@code targets[i]} mapping into a {@link TargetConfig}, applying the documented defaults. */
final class TargetReader {
    private TargetReader() {
    }

    static TargetConfig read(YamlSection s) throws ConfigException {
        s.allowOnly(ConfigLoader.TARGET_KEYS);
        try {
            String name = s.requiredString("name");
            Optional<DockerTarget> docker = docker(s);
            // In a container the Runtime API is usually only the socket inside it, so that is the default.
            String runtimeApi = s.string("runtime-api").or(() -> docker.map(DockerTarget::socketInContainer))
                    .orElseThrow(() -> s.missing("runtime-api"));
            boolean masterCli = s.bool("master-cli").orElse(false);
            String crtList = s.requiredString("crt-list");
            String certDir = s.string("cert-dir").orElseGet(() -> parentOf(crtList));
            PathMapping paths = paths(s);
            FileOwnership files = files(s);
            Optional<ReloadConfig> reload = reload(s, masterCli, runtimeApi);
            Optional<Path> haproxyConfig = path(s, "haproxy-config");
            String sslOptions = s.stringOrEmpty("ssl-options").orElse("");
            LeftoverTransactionPolicy leftover = s.has("on-leftover-transaction")
                    ? ConfigLoader.enumValue(s, "on-leftover-transaction", LeftoverTransactionPolicy.class)
                    : LeftoverTransactionPolicy.ABORT;
            Path lockFile = path(s, "lock-file").orElseGet(() -> TargetConfig.defaultLockFile(name,
                    runtimeApi + docker.map(d -> "@" + d.container() + d.engineHost().orElse("")).orElse("")));
            int payloadLimit = s.string("payload-limit").map(v -> positiveInt(s, "payload-limit", v))
                    .orElse(TargetConfig.DEFAULT_PAYLOAD_LIMIT);
            Optional<String> issuersChainPath = s.string("issuers-chain-path");
            return new TargetConfig(name, runtimeApi, masterCli, crtList, certDir, paths, files, reload,
                    haproxyConfig, sslOptions, leftover, lockFile, docker, payloadLimit, issuersChainPath);
        } catch (InvalidSettingException e) {
            throw s.error(e.key(), e.problem());
        }
    }

    private static int positiveInt(YamlSection s, String key, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key, "must be a whole number of bytes, got '" + value + "'");
        }
    }

    private static String parentOf(String crtList) {
        int slash = crtList.lastIndexOf('/');
        return slash <= 0 ? "/" : crtList.substring(0, slash);
    }

    /** A host path that must be absolute: relative ones would depend on where hapcert happens to run. */
    private static Optional<Path> path(YamlSection s, String key) throws ConfigException {
        Optional<String> raw = s.string(key);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        Path p = Path.of(raw.get());
        if (!p.isAbsolute()) {
            throw s.error(key, "must be an absolute path, got '" + raw.get() + "'"
                    + (raw.get().startsWith("~") ? " (hapcert does not expand ~)" : ""));
        }
        return Optional.of(p);
    }

    private static PathMapping paths(YamlSection s) throws ConfigException {
        Optional<List<?>> list = s.list("paths");
        if (list.isEmpty()) {
            return PathMapping.IDENTITY;
        }
        List<PathMapping.Mount> mounts = new ArrayList<>();
        for (int i = 0; i < list.get().size(); i++) {
            YamlSection m = YamlSection.of(list.get().get(i), s.file(), s.where("paths") + ".paths[" + i + "]");
            m.allowOnly(ConfigLoader.MOUNT_KEYS);
            try {
                mounts.add(new PathMapping.Mount(m.requiredString("haproxy"), Path.of(m.requiredString("host"))));
            } catch (InvalidSettingException e) {
                throw m.error(e.key().substring("paths.".length()), e.problem());
            }
        }
        return new PathMapping(mounts);
    }

    private static FileOwnership files(YamlSection s) throws ConfigException {
        Optional<YamlSection> section = s.section("files");
        if (section.isEmpty()) {
            return FileOwnership.DEFAULT;
        }
        YamlSection f = section.get();
        f.allowOnly(ConfigLoader.FILES_KEYS);
        try {
            return new FileOwnership(
                    f.string("mode").map(FileOwnership::parseMode).orElse(FileOwnership.DEFAULT.mode()),
                    f.string("group"));
        } catch (InvalidSettingException e) {
            throw f.error(e.key().substring("files.".length()), e.problem());
        }
    }

    private static Optional<ReloadConfig> reload(YamlSection s, boolean masterCli, String runtimeApi)
            throws ConfigException {
        Optional<YamlSection> section = s.section("reload");
        if (section.isEmpty()) {
            return Optional.empty();
        }
        YamlSection r = section.get();
        r.allowOnly(ConfigLoader.RELOAD_KEYS);
        ReloadConfig.Method method = ConfigLoader.enumValue(r, "method", ReloadConfig.Method.class);
        Optional<String> masterSocket = r.string("master-socket");
        if (method == ReloadConfig.Method.MASTER_CLI && masterSocket.isEmpty() && masterCli) {
            masterSocket = Optional.of(runtimeApi); // the Runtime API already is the master CLI
        }
        Optional<Path> pidFile = path(r, "pid-file");
        Path binary = path(r, "haproxy-binary").orElse(ReloadConfig.DEFAULT_HAPROXY_BINARY);
        try {
            return Optional.of(new ReloadConfig(method, r.string("command"), pidFile, masterSocket, binary));
        } catch (InvalidSettingException e) {
            throw r.error(e.key().substring("reload.".length()), e.problem());
        }
    }

    private static Optional<DockerTarget> docker(YamlSection s) throws ConfigException {
        Optional<YamlSection> section = s.section("docker");
        if (section.isEmpty()) {
            return Optional.empty();
        }
        YamlSection d = section.get();
        d.allowOnly(ConfigLoader.DOCKER_KEYS);
        try {
            return Optional.of(new DockerTarget(d.requiredString("container"), d.string("engine-host"),
                    d.requiredString("socket-in-container")));
        } catch (InvalidSettingException e) {
            throw d.error(e.key().substring("docker.".length()), e.problem());
        }
    }
}
