package dev.hapcert.config;

import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.FailsafeSchema;

/**
 * Reads hapcert.yml. The schema (docs/configuration.md has the reference):
 * <pre>
 * version: 1                 # optional
 * defaults: { ...any target key but name... }   # merged into every target; nested mappings merge key by key
 * targets:
 *   - name: edge
 *     runtime-api: /run/haproxy/admin.sock
 *     crt-list: /etc/haproxy/crt-list.txt
 *     ...
 * </pre>
 * Unknown keys, wrong types, missing keys, relative paths and duplicate names are errors that name the key,
 * its place and the file; nothing is silently ignored.
 */
public final class ConfigLoader {
    static final List<String> TOP_KEYS = List.of("version", "defaults", "targets");
    static final List<String> TARGET_KEYS = List.of("name", "runtime-api", "master-cli", "crt-list", "cert-dir",
            "ssl-options", "haproxy-config", "paths", "files", "reload", "on-leftover-transaction", "lock-file", "payload-limit",
            "issuers-chain-path", "docker");
    static final List<String> FILES_KEYS = List.of("mode", "group");
    static final List<String> RELOAD_KEYS = List.of("method", "command", "pid-file", "master-socket",
            "haproxy-binary");
    static final List<String> DOCKER_KEYS = List.of("container", "engine-host", "socket-in-container");
    static final List<String> MOUNT_KEYS = List.of("haproxy", "host");
    // Mappings in defaults merge key by key into the target's; everything else is replaced whole.
    private static final Set<String> MERGED_SECTIONS = Set.of("files", "reload", "docker");

    private ConfigLoader() {
    }

    /** Loads and validates {@code yaml}. */
    public static HapcertConfig load(Path yaml) throws ConfigException {
        String text;
        try {
            text = Files.readString(yaml);
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + yaml + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException("cannot read configuration file " + yaml + ": permission denied", e);
        } catch (CharacterCodingException e) {
            throw new ConfigException("configuration file " + yaml + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + yaml + ": " + e.getMessage(), e);
        }
        return parse(text, yaml);
    }

    /** Parses hapcert.yml text; {@code source} names it in messages and ends up in {@link HapcertConfig#source()}. */
    static HapcertConfig parse(String text, Path source) throws ConfigException {
        String file = source.toString();
        Object document = readYaml(text, file);
        if (document == null) {
            throw new ConfigException(file + " is empty; it needs a 'targets:' list (see docs/configuration.md)");
        }
        YamlSection top = YamlSection.of(document, file, "the top level");
        top.allowOnly(TOP_KEYS);
        Optional<String> version = top.string("version");
        if (version.isPresent() && !version.get().equals("1")) {
            throw top.error("version", "is " + version.get() + ", but this hapcert understands version 1 only");
        }
        Map<String, Object> defaults = Map.of();
        if (top.has("defaults")) {
            YamlSection d = top.section("defaults").orElseThrow();
            if (d.has("name")) {
                throw new ConfigException("'name' cannot be set in defaults of " + file + "; every target names itself");
            }
            List<String> allowed = new ArrayList<>(TARGET_KEYS);
            allowed.remove("name");
            d.allowOnly(allowed);
            defaults = rawMap(document, "defaults");
        }
        List<?> targets = top.list("targets").orElseThrow(() -> top.missing("targets"));
        if (targets.isEmpty()) {
            throw new ConfigException("'targets' in " + file + " is empty; list at least one HAProxy");
        }
        List<TargetConfig> result = new ArrayList<>();
        Map<String, String> firstByName = new HashMap<>();
        Map<String, String> firstByAddress = new HashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            String location = "targets[" + i + "]";
            if (!(targets.get(i) instanceof Map<?, ?> own)) {
                throw new ConfigException(location + " of " + file + " must be a mapping of keys to values, got "
                        + YamlSection.describe(targets.get(i)));
            }
            Set<String> inherited = new HashSet<>();
            Map<Object, Object> merged = merge(defaults, own, inherited);
            YamlSection section = YamlSection.of(merged, file, location, "defaults", inherited);
            TargetConfig target = TargetReader.read(section);
            String previous = firstByName.putIfAbsent(target.name(), location);
            if (previous != null) {
                throw new ConfigException("duplicate target name '" + target.name() + "' in " + location + " of "
                        + file + " (first used in " + previous + ")");
            }
            String key = target.runtimeApi() + target.docker().map(d -> " in " + d.container()).orElse("");
            previous = firstByAddress.putIfAbsent(key, location);
            if (previous != null) {
                throw new ConfigException(location + " and " + previous + " of " + file + " both use runtime-api "
                        + target.runtimeApi() + "; one HAProxy must be one target");
            }
            result.add(target);
        }
        return new HapcertConfig(result, source);
    }

    private static Object readYaml(String text, String file) throws ConfigException {
        LoadSettings settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(false)
                .setSchema(new FailsafeSchema()).setMaxAliasesForCollections(20)
                // Failsafe has no null type; an empty document or "key:" with nothing after it reads as null.
                .setTagConstructors(Map.of(Tag.NULL, node -> null)).build();
        try {
            return new Load(settings).loadFromString(text);
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1) + ", column "
                    + (m.getColumn() + 1)).orElse("");
            throw new ConfigException("cannot parse " + file + where + ": " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new ConfigException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> rawMap(Object document, String key) {
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<Object, Object>) ((Map<?, ?>) document).get(key)).forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** Target over defaults; records in {@code inherited} the (dotted) keys whose value came from defaults. */
    private static Map<Object, Object> merge(Map<String, Object> defaults, Map<?, ?> own, Set<String> inherited) {
        Map<Object, Object> merged = new LinkedHashMap<>();
        own.forEach((k, v) -> merged.put(String.valueOf(k), v));
        for (Map.Entry<String, Object> d : defaults.entrySet()) {
            String key = d.getKey();
            Object mine = merged.get(key);
            if (!merged.containsKey(key)) {
                merged.put(key, d.getValue());
                inherited.add(key);
            } else if (MERGED_SECTIONS.contains(key) && mine instanceof Map<?, ?> m
                    && d.getValue() instanceof Map<?, ?> dm) {
                Map<Object, Object> nested = new LinkedHashMap<>();
                m.forEach((k, v) -> nested.put(String.valueOf(k), v));
                dm.forEach((k, v) -> {
                    if (!nested.containsKey(String.valueOf(k))) {
                        nested.put(String.valueOf(k), v);
                        inherited.add(key + "." + k);
                    }
                });
                merged.put(key, nested);
            }
        }
        return merged;
    }

    /** Parses an enum value written in kebab-case, suggesting the nearest one on a typo. */
    static <E extends Enum<E>> E enumValue(YamlSection s, String key, Class<E> type) throws ConfigException {
        String raw = s.requiredString(key);
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            String yaml = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
            if (yaml.equals(raw.toLowerCase(Locale.ROOT))) {
                return e;
            }
            names.add(yaml);
        }
        String hint = KeySuggestion.nearest(raw, names).map(n -> "; did you mean '" + n + "'?").orElse("");
        throw s.error(key, "must be one of " + String.join(", ", names) + ", got '" + raw + "'" + hint);
    }
}
