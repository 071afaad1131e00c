package dev.hapcert.cli;

import dev.hapcert.config.ConfigLoader;
import dev.hapcert.config.HapcertConfig;
import dev.hapcert.config.HaproxyCfgDiscovery;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Which HAProxy instances a command works on: a hapcert.yml, or with none, the one described by haproxy.cfg
 * (zero-config).
 */
final class TargetOptions {
    static final Path DEFAULT_CONFIG = Path.of("/etc/hapcert/hapcert.yml");
    static final Path DEFAULT_HAPROXY_CONFIG = Path.of("/etc/haproxy/haproxy.cfg");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "hapcert configuration (default: $HAPCERT_CONFIG, else /etc/hapcert/hapcert.yml when it exists).")
    Path config;

    @Option(names = "--haproxy-config", paramLabel = "FILE",
            description = "Without a hapcert configuration, find the Runtime API socket, crt-base and crt-list in this "
                    + "haproxy.cfg (default: /etc/haproxy/haproxy.cfg).")
    Path haproxyConfig;

    @Option(names = {"-t", "--target"}, split = ",", paramLabel = "NAME",
            description = "Only these targets of the configuration (default: all).")
    List<String> only;

    List<TargetConfig> resolve(Map<String, String> env) throws ConfigException {
        List<TargetConfig> all = load(env);
        if (only == null || only.isEmpty()) {
            return all;
        }
        Set<String> known = all.stream().map(TargetConfig::name).collect(java.util.stream.Collectors.toSet());
        for (String name : only) {
            if (!known.contains(name)) {
                throw new ConfigException("no target named '" + name + "' (targets: " + String.join(", ", known) + ")");
            }
        }
        return all.stream().filter(t -> only.contains(t.name())).toList();
    }

    private List<TargetConfig> load(Map<String, String> env) throws ConfigException {
        if (config != null && haproxyConfig != null) {
            throw new ConfigException("give either --config or --haproxy-config, not both");
        }
        Path yaml = config;
        if (yaml == null && haproxyConfig == null) {
            String fromEnv = env.get("HAPCERT_CONFIG");
            if (fromEnv != null && !fromEnv.isBlank()) {
                yaml = Path.of(fromEnv);
            } else if (Files.exists(DEFAULT_CONFIG)) {
                yaml = DEFAULT_CONFIG;
            }
        }
        if (yaml != null) {
            HapcertConfig loaded = ConfigLoader.load(yaml.toAbsolutePath());
            return loaded.targets();
        }
        Path cfg = haproxyConfig != null ? haproxyConfig : DEFAULT_HAPROXY_CONFIG;
        // Relative to where the command runs, as a user typing it expects; discovery keeps absolute paths only.
        return List.of(HaproxyCfgDiscovery.discover(cfg.toAbsolutePath()).target());
    }
}
