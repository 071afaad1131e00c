package dev.hapcert.haproxy.docker;

import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyUnreachableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * HAProxy's Runtime API reached through an exec in its container: each {@link #send} starts one exec of socat
 * (or netcat) connected to the stats socket inside the container and writes the whole command stream on its
 * stdin. The caller owns the protocol (prompt mode, payload framing, reply parsing); this class only moves bytes.
 */
public final class ContainerRuntimeApi {
    /** What Podman reports when the exec ended while input it was given was still unread. */
    private static final String ENGINE_STREAM_RESET = ExecChannel.STREAM_RESET;
    private static final byte[] QUIT = "quit\n".getBytes(StandardCharsets.US_ASCII);
    /** Where tools usually live, for images without a shell to ask {@code command -v}. */
    private static final List<String> DIRS = List.of("/usr/bin/", "/bin/", "/usr/local/bin/", "/usr/sbin/");

    private final ExecChannel exec;
    private final String socketPath;
    private RuntimeApiTool tool;
    /** True while {@link #tool} is only the guess of {@link #openAssumingSocat}, not yet seen to exist. */
    private boolean assumed;
    private final Duration timeout;

    private ContainerRuntimeApi(ExecChannel exec, String socketPath, RuntimeApiTool tool, Duration timeout) {
        this.exec = exec;
        this.socketPath = socketPath;
        this.tool = tool;
        this.timeout = timeout;
    }

    /**
     * Like {@link #open}, but without the detection exec up front: the first exchange runs {@code socat} from the
     * image's PATH, the common case, and only if the image has none is the tool detected (and the exchange run again
     * with it, or the same error as {@link #open} raised). Saves one exec per run.
     */
    public static ContainerRuntimeApi openAssumingSocat(ExecChannel exec, String socketPath, Duration timeout) {
        if (!socketPath.startsWith("/")) {
            throw new IllegalArgumentException("stats socket path must be absolute: " + socketPath);
        }
        ContainerRuntimeApi api = new ContainerRuntimeApi(exec, socketPath,
                RuntimeApiTool.SOCAT_ON_PATH, timeout);
        api.assumed = true;
        return api;
    }

    /**
     * Finds a usable tool in the container and returns a client for the stats socket at {@code socketPath}
     * (the container's view).
     *
     * @throws HaproxyUnreachableException naming the fix when the image has neither socat nor netcat
     */
    public static ContainerRuntimeApi open(ExecChannel exec, String socketPath, Duration timeout) throws HapcertException {
        if (!socketPath.startsWith("/")) {
            throw new IllegalArgumentException("stats socket path must be absolute: " + socketPath);
        }
        RuntimeApiTool tool = detectTool(exec).orElseThrow(() -> noTool(exec, socketPath));
        return new ContainerRuntimeApi(exec, socketPath, tool, timeout);
    }

    private static HaproxyUnreachableException noTool(ExecChannel exec, String socketPath) {
        return new HaproxyUnreachableException("container " + exec.container().describe() + " has no socat (nor nc"
                + " with -U) to reach HAProxy's stats socket " + socketPath + ": install socat in the image, or"
                + " bind-mount HAProxy's stats socket to the host (hapcert then uses it directly)");
    }

    /**
     * The best tool the image has: asked of {@code /bin/sh -c 'command -v ...'}, or, without a shell, found by
     * running each candidate with a harmless version flag.
     */
    public static Optional<RuntimeApiTool> detectTool(ExecChannel exec) throws HapcertException {
        ExecResult shell = exec.run(List.of("/bin/sh", "-c", "command -v socat; echo ---; command -v nc"),
                new byte[0], Duration.ofSeconds(10));
        if (shell.exitCode() != 127 && shell.stdoutText().contains("---")) {
            String[] parts = shell.stdoutText().split("---", 2);
            if (!parts[0].isBlank()) {
                return Optional.of(new RuntimeApiTool(RuntimeApiTool.Kind.SOCAT, parts[0].strip()));
            }
            if (!parts[1].isBlank() && supportsUnix(exec, parts[1].strip())) {
                return Optional.of(new RuntimeApiTool(RuntimeApiTool.Kind.NETCAT, parts[1].strip()));
            }
            return Optional.empty();
        }
        for (RuntimeApiTool.Kind kind : RuntimeApiTool.Kind.values()) {
            for (String dir : DIRS) {
                String candidate = dir + kind.command();
                boolean present = kind == RuntimeApiTool.Kind.SOCAT
                        ? exec.run(List.of(candidate, "-V"), new byte[0], Duration.ofSeconds(10)).exitCode() == 0
                        : supportsUnix(exec, candidate);
                if (present) {
                    return Optional.of(new RuntimeApiTool(kind, candidate));
                }
            }
        }
        return Optional.empty();
    }

    public RuntimeApiTool tool() {
        return tool;
    }

    /**
     * Sends {@code commandStream} (e.g. {@code "prompt\n"} followed by commands and payloads) and returns
     * everything HAProxy answered. A {@code quit} line is appended so HAProxy closes the connection and the
     * exec ends by itself.
     *
     * @throws HaproxyUnreachableException when the tool cannot connect to the socket
     */
    public String send(byte[] commandStream) throws HapcertException {
        byte[] stream = Arrays.copyOf(commandStream, commandStream.length + QUIT.length + 1);
        int at = commandStream.length;
        if (at > 0 && commandStream[at - 1] != '\n') {
            stream[at++] = '\n';
        }
        System.arraycopy(QUIT, 0, stream, at, QUIT.length);
        stream = Arrays.copyOf(stream, at + QUIT.length);
        return new String(carry(stream), StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code stream} as it is, which must end with {@code quit} so that HAProxy closes the connection and
     * the exec ends, and returns everything HAProxy answered. {@link #send} is the same with the {@code quit} added.
     *
     * @throws HaproxyUnreachableException when the tool cannot connect to the socket or HAProxy closed early
     */
    public byte[] carry(byte[] stream) throws HapcertException {
        // The exec is bounded as a whole, not by its silences: a stream of a thousand bundles is HAProxy's work of
        // several seconds (more with RSA 4096 keys or a crt-list on many bind lines), so it gets 10 ms per KB more.
        Duration streamTimeout = timeout.plusMillis(stream.length / 100);
        ExecResult r = exec.run(tool.argv(socketPath), stream, streamTimeout);
        if (assumed && r.exitCode() == 127) {
            tool = detectTool(exec).orElseThrow(() -> noTool(exec, socketPath));
            assumed = false;
            r = exec.run(tool.argv(socketPath), stream, streamTimeout);
        }
        assumed = false;
        // A reset means the tool ended without reading all of its input: HAProxy closed the connection early.
        if (r.exitCode() != 0 || r.stderrText().contains(ENGINE_STREAM_RESET)) {
            // Connect again without input: the first attempt's error text may be lost with its unread input,
            // and a clean connect tells a wrong socket path from HAProxy hanging up in the middle of the stream.
            ExecResult probe = exec.run(tool.probeArgv(socketPath), new byte[0], timeout);
            if (probe.exitCode() != 0) {
                throw new HaproxyUnreachableException(tool.kind().command() + " in container "
                        + exec.container().describe() + " could not connect to HAProxy's stats socket " + socketPath
                        + ": " + DockerEngine.oneLine(PemScrubber.scrub(probe.stderrText()))
                        + " - check the stats socket path in HAProxy's configuration");
            }
            throw new HaproxyUnreachableException("HAProxy in container " + exec.container().describe()
                    + " closed the stats socket connection before reading the whole command stream (HAProxy 2.6 and 3.0"
                    + " do so silently when a command with its payload exceeds tune.bufsize); the reply is cut short");
        }
        return r.stdout();
    }

    private static boolean supportsUnix(ExecChannel exec, String nc) throws HapcertException {
        // Netcats without unix sockets (traditional, most busybox builds) reject -U in their usage text.
        ExecResult help = exec.run(List.of(nc, "-h"), new byte[0], Duration.ofSeconds(10));
        if (help.exitCode() == 127) {
            return false;
        }
        String text = help.stdoutText() + help.stderrText();
        return text.contains("-U");
    }
}
