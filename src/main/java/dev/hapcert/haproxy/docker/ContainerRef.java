package dev.hapcert.haproxy.docker;

import dev.hapcert.error.InvalidInputException;

/**
 * How a docker target names its container: a name or id, or {@code label=key=value} (exactly one running
 * container must carry that label).
 */
public sealed interface ContainerRef {
    /** A container name (with or without the leading slash the engine reports) or a full or short id. */
    record NameOrId(String value) implements ContainerRef {
        public NameOrId {
            if (value == null || value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("container name or id must be one non-blank word");
            }
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** Every container whose label {@code key} equals {@code value}. */
    record Label(String key, String value) implements ContainerRef {
        public Label {
            if (key == null || key.isBlank() || value == null) {
                throw new IllegalArgumentException("label selector needs a key and a value");
            }
        }

        @Override
        public String toString() {
            return "label=" + key + "=" + value;
        }
    }

    /** Parses {@code name}, {@code id} or {@code label=key=value}. */
    static ContainerRef parse(String text) throws InvalidInputException {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("docker target needs a container: a name, an id or label=key=value");
        }
        String t = text.trim();
        if (t.startsWith("label=")) {
            String selector = t.substring("label=".length());
            int eq = selector.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException(
                        "container selector '" + t + "' must read label=key=value (e.g. label=com.example.role=haproxy)");
            }
            return new Label(selector.substring(0, eq), selector.substring(eq + 1));
        }
        if (t.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidInputException("container name or id '" + t + "' contains whitespace");
        }
        return new NameOrId(t.startsWith("/") ? t.substring(1) : t);
    }
}
