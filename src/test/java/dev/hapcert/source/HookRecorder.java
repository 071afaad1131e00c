package dev.hapcert.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hook program for real ACME clients that records what the client hands its hook: the arguments of every call
 * (one per line, each call ended by {@code --end--}) and the environment variables with a given prefix. Tests then
 * feed exactly that to {@link HookEnvironment}. It records paths and names only, never file contents.
 */
final class HookRecorder {
    private final Path script;
    private final Path calls;
    private final Path env;

    private HookRecorder(Path script, Path calls, Path env) {
        this.script = script;
        this.calls = calls;
        this.env = env;
    }

    /** A recorder in {@code dir} keeping variables whose names start with one of {@code prefixes}. */
    static HookRecorder create(Path dir, String name, String... prefixes) {
        Path script = dir.resolve(name);
        Path calls = dir.resolve(name + ".calls");
        Path env = dir.resolve(name + ".env");
        String pattern = String.join("\\|", List.of(prefixes).stream().map(p -> "^" + p).toList());
        try {
            Files.createDirectories(dir);
            Files.writeString(script, """
                    #!/bin/sh
                    { for a in "$@"; do printf '%%s\\n' "$a"; done; echo --end--; } >> '%s'
                    env | grep '%s' > '%s'
                    exit 0
                    """.formatted(calls, pattern, env));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!script.toFile().setExecutable(true)) {
            throw new IllegalStateException("cannot make " + script + " executable");
        }
        return new HookRecorder(script, calls, env);
    }

    Path script() {
        return script;
    }

    /** The argument lists of every call so far, oldest first. */
    List<List<String>> calls() {
        List<List<String>> all = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String line : readLines(calls)) {
            if (line.equals("--end--")) {
                all.add(List.copyOf(current));
                current.clear();
            } else {
                current.add(line);
            }
        }
        return all;
    }

    /** The recorded variables of the latest call. */
    Map<String, String> lastEnvironment() {
        Map<String, String> vars = new HashMap<>();
        for (String line : readLines(env)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                vars.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return vars;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
