package dev.hapcert.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every HAProxy hapcert deploys to, and where that list came from.
 *
 * @param targets at least one, names unique
 * @param source the hapcert.yml it was loaded from, or {@code null} when it was discovered from haproxy.cfg
 */
public record HapcertConfig(List<TargetConfig> targets, Path source) {
    public HapcertConfig {
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new InvalidSettingException("targets", "must list at least one HAProxy");
        }
        Set<String> names = new HashSet<>();
        for (TargetConfig target : targets) {
            if (!names.add(target.name())) {
                throw new InvalidSettingException("targets", "has two targets named '" + target.name() + "'");
            }
        }
    }

    /** Where it came from, for messages: the file, or "discovery". */
    public Optional<Path> sourceFile() {
        return Optional.ofNullable(source);
    }

    /** The target with this name. */
    public Optional<TargetConfig> target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
