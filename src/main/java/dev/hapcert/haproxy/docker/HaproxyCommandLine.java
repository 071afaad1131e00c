package dev.hapcert.haproxy.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How HAProxy was started in a container, read from a process command line such as
 * {@code haproxy -W -db -f /usr/local/etc/haproxy/haproxy.cfg}: the binary, the configuration files and whether it
 * runs master-worker (which decides how it reloads).
 *
 * @param binary the executable as started, e.g. {@code /usr/sbin/haproxy} or {@code haproxy}
 * @param configFiles every {@code -f} argument, in order (files or directories)
 * @param masterWorker started with {@code -W} or {@code -Ws}
 */
public record HaproxyCommandLine(String binary, List<String> configFiles, boolean masterWorker) {
    public HaproxyCommandLine {
        if (binary == null || binary.isBlank()) {
            throw new IllegalArgumentException("binary is required");
        }
        configFiles = List.copyOf(configFiles);
    }

    /** The HAProxy command among {@code processLines}: the first whose program is named haproxy. */
    public static Optional<HaproxyCommandLine> find(List<String> processLines) {
        for (String line : processLines) {
            Optional<HaproxyCommandLine> parsed = parse(List.of(line.strip().split("\\s+")));
            if (parsed.isPresent()) {
                return parsed;
            }
        }
        return Optional.empty();
    }

    /** Parses one argv; empty when its program is not haproxy. */
    public static Optional<HaproxyCommandLine> parse(List<String> argv) {
        if (argv.isEmpty() || !(argv.get(0).equals("haproxy") || argv.get(0).endsWith("/haproxy"))) {
            return Optional.empty();
        }
        List<String> configs = new ArrayList<>();
        boolean masterWorker = false;
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("-W") || a.equals("-Ws")) {
                masterWorker = true;
            } else if (a.equals("-f") && i + 1 < argv.size()) {
                configs.add(argv.get(++i));
            }
        }
        return Optional.of(new HaproxyCommandLine(argv.get(0), configs, masterWorker));
    }
}
