package dev.hapcert.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Docker-compatible engine for tests: Podman's API service on a unix socket in a temp dir, started and
 * stopped through {@code scripts/podman-engine.sh}, with test images built from this host's HAProxy by
 * {@code scripts/build-haproxy-image.sh}. Containers started here use the host network (HAProxy binds loopback
 * ports) and are all removed by {@link #close()}.
 */
public final class PodmanEngine implements AutoCloseable {
    /** The images build-haproxy-image.sh makes. */
    public enum Image {
        WITH_SOCAT(""), WITHOUT_SOCAT("--without-socat"), WITHOUT_SHELL("--without-shell");

        private final String flag;

        Image(String flag) {
            this.flag = flag;
        }
    }

    private final Path dir;
    private final Path scripts;
    private final String address;
    private final String runtime;
    private final List<String> containers = new ArrayList<>();
    private final Thread cleanup = new Thread(this::closeQuietly, "podman-engine-cleanup");
    private boolean closed;

    private PodmanEngine(Path dir, Path scripts, String address, String runtime) {
        this.dir = dir;
        this.scripts = scripts;
        this.address = address;
        this.runtime = runtime;
    }

    /** True when podman is on the PATH; tests assume this and skip with a reason otherwise. */
    public static boolean installed() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "podman")));
    }

    public static PodmanEngine start() throws IOException {
        Path scripts = Path.of(System.getProperty("user.dir"), "scripts").toAbsolutePath();
        Path dir = Files.createTempDirectory("hapcert-podman-");
        String address = run(List.of(scripts.resolve("podman-engine.sh").toString(), "start", dir.toString()), Map.of()).strip();
        String runtime = Files.readString(dir.resolve("runtime")).strip();
        PodmanEngine engine = new PodmanEngine(dir, scripts, address, runtime);
        // A test run cut short (Ctrl-C, surefire timeout) must not leave the engine and containers behind.
        Runtime.getRuntime().addShutdownHook(engine.cleanup);
        return engine;
    }

    /** The engine address, {@code unix://.../engine.sock}. */
    public String address() {
        return address;
    }

    /** Builds (once; later calls are quick) and names the image. */
    public String image(Image image) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(scripts.resolve("build-haproxy-image.sh").toString()));
        if (!image.flag.isEmpty()) {
            cmd.add(image.flag);
        }
        return run(cmd, Map.of("PODMAN_RUNTIME", runtime, "HAPROXY_BINARY", HaproxyProcess.HAPROXY.toString())).strip();
    }

    /**
     * Starts a container: {@code mounts} maps host directories to container paths, {@code labels} are set as
     * given, {@code command} runs as the first process. Returns the container id.
     */
    public String runContainer(String image, Map<Path, String> mounts, Map<String, String> labels, List<String> command)
            throws IOException {
        List<String> cmd = podman("run", "-d", "--network", "host", "--label", "dev.hapcert.testkit=" + dir.getFileName());
        mounts.forEach((host, inside) -> cmd.addAll(List.of("-v", host.toAbsolutePath() + ":" + inside)));
        labels.forEach((k, v) -> cmd.addAll(List.of("--label", k + "=" + v)));
        cmd.add(image);
        cmd.addAll(command);
        String id = run(cmd, Map.of()).strip();
        containers.add(id);
        return id;
    }

    /** The container's name as the engine reports it. */
    public String name(String id) throws IOException {
        return run(podman("inspect", "--format", "{{.Name}}", id), Map.of()).strip();
    }

    public void stopContainer(String id) throws IOException {
        run(podman("stop", "-t", "0", id), Map.of());
    }

    /** Restarts the container at once (HAProxy as pid 1 ignores a graceful stop anyway). */
    public void restartContainer(String id) throws IOException {
        run(podman("restart", "-t", "0", id), Map.of());
    }

    public String logs(String id) throws IOException {
        return run(podman("logs", id), Map.of());
    }

    public void removeContainer(String id) throws IOException {
        // -t 0: HAProxy as the container's pid 1 has no SIGTERM default action, so a graceful stop only times out.
        run(podman("rm", "-f", "-t", "0", id), Map.of());
        containers.remove(id);
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != cleanup) {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        try {
            for (String id : List.copyOf(containers)) {
                removeContainer(id);
            }
        } finally {
            run(List.of(scripts.resolve("podman-engine.sh").toString(), "stop", dir.toString()), Map.of());
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            System.err.println("podman test engine cleanup: " + e.getMessage());
        }
    }

    private List<String> podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        if (!runtime.isEmpty()) {
            // The containers must use the runtime the engine uses, or later exec/kill calls disagree about it.
            cmd.addAll(List.of("--runtime", runtime));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String run(List<String> cmd, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            // stderr is merged for failure messages; the value wanted is the last line (an id, an address, a name).
            String text = new String(out, StandardCharsets.UTF_8).strip();
            return cmd.contains("logs") ? text : text.substring(text.lastIndexOf('\n') + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
    }
}
