package dev.hapcert.config;

import dev.hapcert.error.ConfigException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One YAML mapping of hapcert.yml with typed, located access. Every message names the key, where it is
 * ({@code targets[0].reload}, or {@code defaults} when the value was inherited from there) and the file.
 * The document is loaded with YAML's failsafe schema, so every scalar arrives as a string and is typed here:
 * {@code mode: 0640} stays the text "0640" instead of becoming the number 640, and {@code no} is not false.
 */
final class YamlSection {
    private final String file;
    private final String location;
    private final String defaultsLocation;
    private final Map<String, Object> values;
    private final Set<String> inherited;

    private YamlSection(String file, String location, String defaultsLocation, Map<String, Object> values,
            Set<String> inherited) {
        this.file = file;
        this.location = location;
        this.defaultsLocation = defaultsLocation;
        this.values = values;
        this.inherited = inherited;
    }

    /** A mapping read from {@code node}, which must be a YAML mapping; {@code what} names it in errors. */
    static YamlSection of(Object node, String file, String location) throws ConfigException {
        return of(node, file, location, "defaults", Set.of());
    }

    static YamlSection of(Object node, String file, String location, String defaultsLocation, Set<String> inherited)
            throws ConfigException {
        if (!(node instanceof Map<?, ?> map)) {
            throw new ConfigException(location + " of " + file + " must be a mapping of keys to values, got "
                    + describe(node));
        }
        Map<String, Object> values = new LinkedHashMap<>();
        map.forEach((k, v) -> values.put(String.valueOf(k), v));
        return new YamlSection(file, location, defaultsLocation, values, inherited);
    }

    String file() {
        return file;
    }

    String location() {
        return location;
    }

    Set<String> keys() {
        return values.keySet();
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** Where {@code key} (dotted for nested keys) was written: here, or in {@code defaults}. */
    String where(String key) {
        String top = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
        return inherited.contains(key) || inherited.contains(top)
                ? defaultsLocation + " (applied to " + location + ")" : location;
    }

    /** A ConfigException about {@code key}: "'key' in LOCATION of FILE problem". */
    ConfigException error(String key, String problem) {
        return new ConfigException("'" + key + "' in " + where(key) + " of " + file + " " + problem);
    }

    /** Rejects keys outside {@code allowed}, suggesting the nearest allowed key for a typo. */
    void allowOnly(Collection<String> allowed) throws ConfigException {
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                String hint = KeySuggestion.nearest(key, allowed).map(s -> "; did you mean '" + s + "'?")
                        .orElse("; known keys: " + String.join(", ", allowed));
                throw new ConfigException("unknown key '" + key + "' in " + where(key) + " of " + file + hint);
            }
        }
    }

    Optional<String> string(String key) throws ConfigException {
        if (!values.containsKey(key)) {
            return Optional.empty();
        }
        Object v = values.get(key);
        if (v == null || (v instanceof String s && s.isBlank())) {
            throw error(key, "has no value");
        }
        if (!(v instanceof String s)) {
            throw error(key, "must be a single value, got " + describe(v));
        }
        return Optional.of(s.strip());
    }

    /** Like {@link #string} but {@code key: ""} is allowed and reads as the empty string. */
    Optional<String> stringOrEmpty(String key) throws ConfigException {
        if (values.get(key) instanceof String s && s.isBlank()) {
            return Optional.of("");
        }
        return string(key);
    }

    String requiredString(String key) throws ConfigException {
        return string(key).orElseThrow(() -> missing(key));
    }

    ConfigException missing(String key) {
        return new ConfigException("missing key '" + key + "' in " + location + " of " + file);
    }

    Optional<Boolean> bool(String key) throws ConfigException {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        return switch (s.get().toLowerCase(Locale.ROOT)) {
            case "true" -> Optional.of(true);
            case "false" -> Optional.of(false);
            default -> throw error(key, "must be true or false, got '" + s.get() + "'");
        };
    }

    /** A nested mapping; inherited nested keys keep pointing at {@code defaults}. */
    Optional<YamlSection> section(String key) throws ConfigException {
        if (!values.containsKey(key)) {
            return Optional.empty();
        }
        Object v = values.get(key);
        if (!(v instanceof Map<?, ?>)) {
            throw error(key, "must be a mapping (key: value), got " + describe(v));
        }
        Set<String> nestedInherited = new java.util.HashSet<>();
        for (String dotted : inherited) {
            if (dotted.equals(key)) {
                nestedInherited.addAll(((Map<?, ?>) v).keySet().stream().map(String::valueOf).toList());
            } else if (dotted.startsWith(key + ".")) {
                nestedInherited.add(dotted.substring(key.length() + 1));
            }
        }
        String nested = location.equals("the top level") ? key : location + "." + key;
        return Optional.of(of(v, file, nested, defaultsLocation + "." + key, nestedInherited));
    }

    Optional<List<?>> list(String key) throws ConfigException {
        if (!values.containsKey(key)) {
            return Optional.empty();
        }
        Object v = values.get(key);
        if (!(v instanceof List<?> l)) {
            throw error(key, "must be a list, got " + describe(v));
        }
        return Optional.of(l);
    }

    static String describe(Object node) {
        if (node == null) {
            return "nothing";
        }
        if (node instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (node instanceof List<?>) {
            return "a list";
        }
        return "'" + node + "'";
    }
}
