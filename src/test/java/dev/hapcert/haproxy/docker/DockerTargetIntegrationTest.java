package dev.hapcert.haproxy.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.Reply;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.RuntimeApiTimeouts;
import dev.hapcert.testkit.PodmanEngine;
import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Docker targets against a real Docker-compatible engine (Podman) and a real HAProxy in a container. */
class DockerTargetIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static PodmanEngine podman;
    private static DockerEngine engine;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startEngine() throws Exception {
        assumeTrue(!Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (-Dhapcert.it.skip=true)");
        assumeTrue(PodmanEngine.installed(), "podman is not installed (apt-get install -y podman runc)");
        long t0 = System.nanoTime();
        podman = PodmanEngine.start();
        long t1 = System.nanoTime();
        for (PodmanEngine.Image image : PodmanEngine.Image.values()) {
            podman.image(image);
        }
        long t2 = System.nanoTime();
        engine = DockerEngine.connect(podman.address());
        System.err.printf("podman engine start %d ms, images %d ms, connect %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
    }

    @AfterAll
    static void stopEngine() throws IOException {
        if (engine != null) {
            engine.close();
        }
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void negotiatesTheEngineVersionAndMapsMounts() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of("dev.hapcert.test.inspected", "yes"));
        assertThat(engine.apiVersion()).isEqualTo(new ApiVersion(1, 41));

        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(id.substring(0, 12)));
        assertThat(c.id()).isEqualTo(id);
        assertThat(c.name()).isEqualTo(podman.name(id));
        assertThat(c.running()).isTrue();
        assertThat(c.status()).isEqualTo("running");
        assertThat(c.labels()).containsEntry("dev.hapcert.test.inspected", "yes");
        assertThat(c.masterWorker()).isFalse();
        assertThat(c.command()).startsWith("/usr/sbin/haproxy", "-f", "/etc/haproxy/haproxy.cfg");
        assertThat(c.mounts()).anySatisfy(m -> {
            assertThat(m.type()).isEqualTo("bind");
            assertThat(m.destination()).isEqualTo("/etc/haproxy");
            assertThat(Path.of(m.source())).isEqualTo(tmp.resolve("etc").toRealPath());
            assertThat(m.readWrite()).isTrue();
        });
        MountMapping mapping = MountMapping.of(c);
        assertThat(mapping.hostPathForWrite("/etc/haproxy/certs/a.pem"))
                .isEqualTo(tmp.resolve("etc").toRealPath().resolve("certs/a.pem"));
        assertThat(mapping.containerPathFor(tmp.resolve("etc").toRealPath().resolve("x.pem"))).isEqualTo("/etc/haproxy/x.pem");
        assertThatThrownBy(() -> mapping.hostPathForWrite("/opt/certs/a.pem"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not on a bind mount");
    }

    @Test
    void showsServedCertificateThroughSocatInsideTheContainer() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of());
        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(podman.name(id)));
        ContainerRuntimeApi api = ContainerRuntimeApi.open(engine.execChannel(c), "/tmp/admin.sock", TIMEOUT);
        assertThat(api.tool().kind()).isEqualTo(RuntimeApiTool.Kind.SOCAT);

        String reply = api.send("prompt\nshow ssl cert /etc/haproxy/site.pem\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(reply).contains("Filename: /etc/haproxy/site.pem").contains("Serial: " + serial);

        // The stats socket lies in the image's /tmp, not on a mount: no shortcut to the host.
        assertThat(MountMapping.of(c).hostSocket("/tmp/admin.sock")).isEmpty();

        long t0 = System.nanoTime();
        int rounds = 5;
        for (int i = 0; i < rounds; i++) {
            assertThat(api.send("show info\n".getBytes(StandardCharsets.US_ASCII))).contains("Name: HAProxy");
        }
        System.err.printf("exec round trip through socat: %d ms each%n", (System.nanoTime() - t0) / 1_000_000 / rounds);
    }

    @Test
    void streamsTheRuntimeApiThroughAnExecPerConnection() throws Exception {
        Set<Path> relaysBefore = relayDirectories();
        try (ContainerTarget target = targetIn(PodmanEngine.Image.WITH_SOCAT)) {
            try (RuntimeApiClient client = target.openRuntimeApi("/tmp/admin.sock", false, RuntimeApiTimeouts.DEFAULT)) {
                assertThat(client.streams()).as("a live connection through the exec").isTrue();
                assertThat(client.description()).contains("/tmp/admin.sock").contains("(through an exec)");
                // Many exchanges and one pipelined batch on the one exec.
                for (int i = 0; i < 20; i++) {
                    assertThat(client.showSslCert("/etc/haproxy/site.pem").orElseThrow().serial()).contains(serial);
                }
                List<Reply> replies = client.pipeline(java.util.Collections.nCopies(200, Command.of("show", "info")));
                assertThat(replies).hasSize(200).allSatisfy(r -> assertThat(r.text()).contains("Name: HAProxy"));
                // A new connection (verification's) is a new exec beside it.
                try (RuntimeApiClient again = client.reconnect()) {
                    assertThat(again.showSslCerts().certificates()).contains("/etc/haproxy/site.pem");
                }
                assertThat(client.showInfo()).containsKey("Pid");
            }
            assertThat(relayDirectories()).as("the relay's private socket while the target is open").hasSize(relaysBefore.size() + 1);
        }
        assertThat(relayDirectories()).as("the relay's private socket once the target is closed").isEqualTo(relaysBefore);
    }

    @Test
    void namesTheContainerWhenHaproxyDropsAStreamedPayload() throws Exception {
        try (ContainerTarget target = targetIn(PodmanEngine.Image.WITH_SOCAT);
             RuntimeApiClient client = target.openRuntimeApi("/tmp/admin.sock", false, RuntimeApiTimeouts.DEFAULT)) {
            assertThat(client.streams()).isTrue();
            // HAProxy closes the connection without a word once a command and its payload pass tune.bufsize.
            String payload = ("A".repeat(63) + "\n").repeat(400);
            assertThatThrownBy(() -> client.setSslCert("/etc/haproxy/site.pem", payload))
                    .isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("tune.bufsize")
                    .hasMessageContaining("in container")
                    .hasMessageNotContaining("hapcert-exec")
                    .hasMessageNotContaining("AAAA");
        }
    }

    @Test
    void fallsBackToAnExecPerExchangeWhereSocatDoesNotConnect() throws Exception {
        try (ContainerTarget target = targetIn(PodmanEngine.Image.WITH_SOCAT);
             RuntimeApiClient client = target.openRuntimeApi("/tmp/nowhere.sock", false, RuntimeApiTimeouts.DEFAULT)) {
            assertThat(client.streams()).as("one exec per exchange, which explains the failure").isFalse();
            assertThatThrownBy(client::showSslCerts).isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("could not connect to HAProxy's stats socket /tmp/nowhere.sock");
        }
        try (ContainerTarget target = targetIn(PodmanEngine.Image.WITHOUT_SOCAT);
             RuntimeApiClient client = target.openRuntimeApi("/tmp/admin.sock", false, RuntimeApiTimeouts.DEFAULT)) {
            assertThat(client.streams()).isFalse();
            assertThatThrownBy(client::showSslCerts).isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("has no socat");
        }
    }

    @Test
    void reportsAnHaproxyThatDoesNotAnswerThroughTheStreamedExecWithoutAskingAgain() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of());
        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(id));
        // HAProxy stopped (SIGSTOP): socat in the container connects, the kernel queues the connection, nobody answers.
        engine.client().killContainerCmd(id).withSignal("STOP").exec();
        RuntimeApiTimeouts shortWait = new RuntimeApiTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofSeconds(2));
        try (ContainerTarget target = ContainerTarget.of(DockerEngine.connect(podman.address()), c)) {
            // The streamed exec's own verdict, not that of an exec per exchange tried after it (which would wait as
            // long again and say "did not finish").
            assertThatThrownBy(() -> target.openRuntimeApi("/tmp/admin.sock", false, shortWait))
                    .isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("no answer")
                    .hasMessageContaining("in container")
                    .hasMessageNotContaining("did not finish");
        } finally {
            engine.client().killContainerCmd(id).withSignal("CONT").exec();
        }
    }

    /** HAProxy started in a container of {@code image}, as a target over an engine client of its own. */
    private ContainerTarget targetIn(PodmanEngine.Image image) throws Exception {
        String id = startHaproxy(image, false, Map.of());
        return ContainerTarget.of(DockerEngine.connect(podman.address()), engine.inspectRunning(new ContainerRef.NameOrId(id)));
    }

    /** The relays' private directories in the temp directory. */
    private static Set<Path> relayDirectories() throws IOException {
        try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("hapcert-exec"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void replacesACertificateWithItsKeyOnStdin() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of());
        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(id));
        ContainerRuntimeApi api = ContainerRuntimeApi.open(engine.execChannel(c), "/tmp/admin.sock", TIMEOUT);
        var next = TestCertificates.newRootCa("Next Root").leaf("site.example.test")
                .serial(new java.math.BigInteger(63, new java.security.SecureRandom()).setBit(62)).issue();
        String payload = next.haproxyPem().replace("\r", "").replaceAll("\n+", "\n");
        String stream = "prompt\nset ssl cert /etc/haproxy/site.pem <<\n" + payload + "\n"
                + "commit ssl cert /etc/haproxy/site.pem\nshow ssl cert /etc/haproxy/site.pem\n";
        String reply = api.send(stream.getBytes(StandardCharsets.US_ASCII));
        // Booleans, not the reply itself: a failing assertion must not print what HAProxy may have echoed.
        assertThat(reply.contains("Success!")).as("commit reported Success!").isTrue();
        assertThat(reply.contains("Serial: " + next.serialHex())).as("new serial served").isTrue();
    }

    @Test
    void reportsAPayloadHaproxyDroppedAsUnreachable() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of());
        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(id));
        ContainerRuntimeApi api = ContainerRuntimeApi.open(engine.execChannel(c), "/tmp/admin.sock", TIMEOUT);
        // HAProxy 2.6 closes the connection without a word once a command and its payload pass tune.bufsize.
        String line = "A".repeat(63) + "\n";
        String stream = "prompt\nset ssl cert /etc/haproxy/site.pem <<\n" + line.repeat(2000) + "\nshow info\n";
        assertThatThrownBy(() -> api.send(stream.getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(HaproxyUnreachableException.class).hasMessageContaining("before reading the whole command stream")
                .hasMessageNotContaining("AAAA");
    }

    @Test
    void findsSocatByPathWhenTheImageHasNoShell() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITHOUT_SHELL, false, Map.of());
        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(id));
        ContainerRuntimeApi api = ContainerRuntimeApi.open(engine.execChannel(c), "/tmp/admin.sock", TIMEOUT);
        assertThat(api.tool()).isEqualTo(new RuntimeApiTool(RuntimeApiTool.Kind.SOCAT, "/usr/bin/socat"));
        assertThat(api.send("prompt\nshow ssl cert\n".getBytes(StandardCharsets.US_ASCII))).contains("/etc/haproxy/site.pem");
    }

    @Test
    void namesTheFixWhenTheImageHasNoSocat() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITHOUT_SOCAT, false, Map.of());
        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(id));
        assertThatThrownBy(() -> ContainerRuntimeApi.open(engine.execChannel(c), "/tmp/admin.sock", TIMEOUT))
                .isInstanceOf(HaproxyUnreachableException.class)
                .hasMessageContaining("has no socat")
                .hasMessageContaining("install socat in the image, or bind-mount HAProxy's stats socket to the host");
    }

    @Test
    void reportsAWrongSocketPathWithTheToolsError() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of());
        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(id));
        ContainerRuntimeApi api = ContainerRuntimeApi.open(engine.execChannel(c), "/tmp/nowhere.sock", TIMEOUT);
        assertThatThrownBy(() -> api.send("show info\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(HaproxyUnreachableException.class)
                .hasMessageContaining("could not connect to HAProxy's stats socket /tmp/nowhere.sock")
                .hasMessageContaining("No such file");
    }

    @Test
    void refusesAStoppedContainer() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of());
        podman.stopContainer(id);
        assertThatThrownBy(() -> engine.inspectRunning(new ContainerRef.NameOrId(id)))
                .isInstanceOf(HaproxyUnreachableException.class).hasMessageContaining("is not running");
        ContainerInspection stopped = engine.inspect(new ContainerRef.NameOrId(id));
        assertThatThrownBy(() -> engine.execChannel(stopped).run(List.of("/usr/bin/socat", "-V"), new byte[0], TIMEOUT))
                .isInstanceOf(HaproxyUnreachableException.class).hasMessageContaining("not running");
    }

    @Test
    void resolvesContainersByLabel() throws Exception {
        String role = "role-" + UUID.randomUUID();
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of("dev.hapcert.test", role));
        ContainerRef ref = ContainerRef.parse("label=dev.hapcert.test=" + role);
        assertThat(engine.inspectRunning(ref).id()).isEqualTo(id);

        assertThatThrownBy(() -> engine.inspect(ContainerRef.parse("label=dev.hapcert.test=absent-" + role)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no container carries");
        assertThatThrownBy(() -> engine.inspect(new ContainerRef.NameOrId("absent-" + role)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no container named");

        startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of("dev.hapcert.test", role));
        assertThatThrownBy(() -> engine.inspect(ref))
                .isInstanceOf(ConfigException.class).hasMessageContaining("2 containers carry");
    }

    @Test
    void reloadsMasterWorkerWithSigusr2ThroughTheEngine() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, true, Map.of());
        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(id));
        assertThat(c.masterWorker()).isTrue();
        // The master socket lies on the bind mount of /run/haproxy: hapcert may use it from the host directly.
        Path master = MountMapping.of(c).hostSocket("/run/haproxy/master.sock").orElseThrow();
        assertThat(master).isEqualTo(tmp.resolve("run").toRealPath().resolve("master.sock"));
        String before = workerPids(master);

        String how = new ContainerReload(engine, engine.execChannel(c)).reload("/etc/haproxy/haproxy.cfg", List.of(), TIMEOUT);
        assertThat(how).contains("SIGUSR2");
        String after = before;
        for (int i = 0; i < 100 && after.equals(before); i++) {
            Thread.sleep(50);
            try {
                after = workerPids(master);
            } catch (IOException e) {
                // the master re-executes itself on reload and refuses connections for a moment
            }
        }
        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void refusesToReloadABrokenConfigOrANonMasterWorker() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, false, Map.of());
        ContainerInspection c = engine.inspectRunning(new ContainerRef.NameOrId(id));
        ContainerReload reload = new ContainerReload(engine, engine.execChannel(c));
        assertThatThrownBy(() -> reload.reload("/etc/haproxy/haproxy.cfg", List.of(), TIMEOUT))
                .isInstanceOf(HaproxyRefusedException.class).hasMessageContaining("cannot reload in place");

        Files.writeString(tmp.resolve("etc/broken.cfg"), "global\n  no-such-keyword\n");
        assertThatThrownBy(() -> reload.reload("/etc/haproxy/broken.cfg", List.of(), TIMEOUT))
                .isInstanceOf(HaproxyRefusedException.class).hasMessageContaining("haproxy -c")
                .hasMessageContaining("no-such-keyword");
    }

    private String serial;

    /** Starts HAProxy with one certificate; stats socket at /tmp/admin.sock (image), master socket under /run/haproxy (mount). */
    private String startHaproxy(PodmanEngine.Image image, boolean masterWorker, Map<String, String> labels) throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        Path run = Files.createDirectories(tmp.resolve("run"));
        // An explicit serial: LeafSpec.issue() without one passes a null serial on main (reported).
        var issued = TestCertificates.newRootCa("Test Root").leaf("site.example.test")
                .serial(new java.math.BigInteger(63, new java.security.SecureRandom()).setBit(62)).issue();
        serial = issued.serialHex();
        Path pem = etc.resolve("site.pem");
        Files.writeString(pem, issued.haproxyPem());
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(etc.resolve("haproxy.cfg"), String.join("\n",
                "global", "  stats socket /tmp/admin.sock mode 600 level admin",
                "defaults", "  mode http", "  timeout client 5s", "  timeout server 5s", "  timeout connect 5s",
                "frontend f", "  bind 127.0.0.1:" + port + " ssl crt /etc/haproxy/site.pem",
                "  http-request return status 200", ""));
        List<String> cmd = masterWorker
                ? List.of("/usr/sbin/haproxy", "-W", "-S", "/run/haproxy/master.sock", "-f", "/etc/haproxy/haproxy.cfg")
                : List.of("/usr/sbin/haproxy", "-f", "/etc/haproxy/haproxy.cfg");
        String id = podman.runContainer(podman.image(image), Map.of(etc, "/etc/haproxy", run, "/run/haproxy"), labels, cmd);
        Path ready = masterWorker ? run.resolve("master.sock") : null;
        for (int i = 0; i < 100; i++) {
            boolean up = ready != null ? Files.exists(ready) : engine.inspect(new ContainerRef.NameOrId(id)).running();
            if (up) {
                Thread.sleep(200); // the stats socket follows the listener within a few ms
                return id;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("HAProxy did not start in its container: " + podman.logs(id));
    }

    /** The worker lines of {@code show proc} on the master CLI, reached through its bind-mounted socket. */
    private static String workerPids(Path masterSocket) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(masterSocket));
            ch.write(ByteBuffer.wrap("show proc\n".getBytes(StandardCharsets.US_ASCII)));
            ch.shutdownOutput(); // the master CLI answers once the client's side is closed
            String text = new String(readAll(ch), StandardCharsets.US_ASCII);
            return text.lines().filter(l -> l.contains("worker")).map(l -> l.split("\\s+")[0]).toList().toString();
        }
    }

    private static byte[] readAll(SocketChannel ch) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (ch.read(buf) > 0) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return out.toByteArray();
    }
}
