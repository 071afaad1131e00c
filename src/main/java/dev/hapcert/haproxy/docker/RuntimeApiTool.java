package dev.hapcert.haproxy.docker;

import java.util.List;

/**
 * A program inside the container that can connect stdin/stdout to HAProxy's unix stats socket.
 *
 * @param executable the path (or bare name) found in the image
 */
public record RuntimeApiTool(Kind kind, String executable) {
    /** Tools in order of preference. */
    public enum Kind {
        /** {@code socat}: exits promptly once HAProxy closes; {@code -t} bounds its wait for the other side. */
        SOCAT("socat"),
        /** OpenBSD netcat or ncat, both of which take {@code -U} for a unix socket. */
        NETCAT("nc");

        private final String command;

        Kind(String command) {
            this.command = command;
        }

        public String command() {
            return command;
        }
    }

    /** {@code socat} from the image's PATH: what most images have, used before anything is detected. */
    static final RuntimeApiTool SOCAT_ON_PATH = new RuntimeApiTool(Kind.SOCAT, "socat");

    public RuntimeApiTool {
        if (kind == null || executable == null || executable.isBlank()) {
            throw new IllegalArgumentException("tool kind and executable are required");
        }
    }

    /**
     * An argv that connects to {@code socketPath} without reading stdin, to learn why a connection failed: the
     * engine may lose the error text of a command that exits before reading the stdin it was given.
     */
    public List<String> probeArgv(String socketPath) {
        return switch (kind) {
            case SOCAT -> List.of(executable, "-t", "0.05", "/dev/null", "UNIX-CONNECT:" + socketPath);
            case NETCAT -> List.of(executable, "-U", socketPath);
        };
    }

    /** The argv that connects stdin/stdout to {@code socketPath}; the socket path is not secret, payloads are not here. */
    public List<String> argv(String socketPath) {
        return switch (kind) {
            // -t: after HAProxy closes, wait 50 ms (not the default 500) for the stdin side that never ends.
            case SOCAT -> List.of(executable, "-t", "0.05", "-", "UNIX-CONNECT:" + socketPath);
            case NETCAT -> List.of(executable, "-U", socketPath);
        };
    }
}
