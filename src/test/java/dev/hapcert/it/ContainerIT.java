package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hapcert.cert.HaproxyCertFormat;
import dev.hapcert.config.ConfigLoader;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.ContainerDiagnosis;
import dev.hapcert.deploy.ContainerFinding;
import dev.hapcert.deploy.TlsProbe;
import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.FreePorts;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.PodmanEngine;
import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.math.BigInteger;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline ({@code bin/hapcert deploy}, as certbot's hook runs it) into a real HAProxy in a container on a
 * real Docker-compatible engine (Podman): path mapping from the container's mounts, the exec path and the
 * bind-mounted socket shortcut, the reload fallback through the engine, and the errors an operator meets.
 * What is served is checked by a TLS handshake on HAProxy's port (the containers use the host network).
 */
class ContainerIT {
    private static final String NAME = "app.example.test";
    private static PodmanEngine podman;

    @TempDir
    Path tmp;

    private int port;

    @BeforeAll
    static void startEngine() throws IOException {
        assumeTrue(!Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (-Dhapcert.it.skip=true)");
        assumeTrue(PodmanEngine.installed(), "podman is not installed (apt-get install -y podman runc)");
        podman = PodmanEngine.start();
        podman.image(PodmanEngine.Image.WITH_SOCAT);
        podman.image(PodmanEngine.Image.WITHOUT_SOCAT);
    }

    @AfterAll
    static void stopEngine() throws IOException {
        if (podman != null) {
            podman.close();
        }
    }

    @Test
    void deploysNewAndRenewedCertificatesThroughAnExecAndARestartKeepsThem() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, "/tmp/admin.sock", false);
        // No engine-host and no paths: the engine comes from DOCKER_HOST, the paths from the container's mounts.
        writeConfig(podman.name(id), "/tmp/admin.sock", "", "");

        var first = issue();
        CommandRun added = deploy(first, Map.of("DOCKER_HOST", podman.address()));
        assertThat(added.exitCode()).as(added.describe()).isZero();
        assertThat(added.stderr()).contains("through an exec in the container");
        assertThat(served()).isEqualTo(first.serialHex());
        assertThat(tmp.resolve("etc/certs/" + NAME + ".pem")).exists();
        assertThat(Files.readString(tmp.resolve("etc/crt-list.txt"))).contains("/etc/haproxy/certs/" + NAME + ".pem");

        var renewed = issue();
        CommandRun updated = deploy(renewed, Map.of("DOCKER_HOST", podman.address()));
        assertThat(updated.exitCode()).as(updated.describe()).isZero();
        assertThat(served()).isEqualTo(renewed.serialHex());

        CommandRun again = deploy(renewed, Map.of("DOCKER_HOST", podman.address()));
        assertThat(again.exitCode()).as(again.describe()).isZero();
        assertThat(again.stdout()).containsIgnoringCase("unchanged");

        podman.restartContainer(id);
        awaitServing();
        assertThat(served()).as("served after a restart of the container").isEqualTo(renewed.serialHex());
    }

    @Test
    void syncsOverAThousandCertificatesThroughExecsOfAThousandEach() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, "/tmp/admin.sock", false);
        writeConfig(podman.name(id), "/tmp/admin.sock", "", "");
        int count = 1100;
        TestCertificates.Authority ca = TestCertificates.newRootCa("IT Bulk Root");
        Path store = Files.createDirectories(tmp.resolve("store"));
        List<TestCertificates.Issued> issued = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TestCertificates.Issued c = ca.leaf("s" + i + ".bulk.test").serial(randomSerial()).issue();
            issued.add(c);
            Files.writeString(store.resolve("s" + i + ".bulk.test.pem"), c.haproxyPem());
        }

        CommandRun first = sync(store);
        assertThat(first.exitCode()).as(first.describe()).isZero();
        assertThat(first.stderr()).contains("through an exec in the container").contains("sync: " + count + " added");
        List<String> lines = Files.readAllLines(tmp.resolve("etc/crt-list.txt"));
        assertThat(lines).hasSize(count).doesNotHaveDuplicates();
        // The first and last of the first exec, the first of the second, the last of all.
        for (int i : new int[] {0, 999, 1000, count - 1}) {
            assertThat(HaproxyCertFormat.serial(TlsProbe.servedCertificate("127.0.0.1", port, "s" + i + ".bulk.test")))
                    .isEqualTo(issued.get(i).serialHex());
        }

        CommandRun again = sync(store);
        assertThat(again.exitCode()).as(again.describe()).isZero();
        assertThat(again.stderr()).contains("sync: " + count + " unchanged");
        assertThat(Files.readAllLines(tmp.resolve("etc/crt-list.txt"))).isEqualTo(lines);
    }

    private CommandRun sync(Path store) {
        Path home = Path.of(System.getProperty("hapcert.home", System.getProperty("user.dir")));
        long t0 = System.nanoTime();
        CommandRun run = CommandRun.run(List.of(home.resolve("bin/hapcert").toString(), "sync", "--config",
                tmp.resolve("hapcert.yml").toString(), "--source", "dir:" + store),
                Map.of("DOCKER_HOST", podman.address()), tmp, Duration.ofSeconds(300));
        System.err.printf("hapcert sync: %d ms, exit %d%n", (System.nanoTime() - t0) / 1_000_000, run.exitCode());
        return run;
    }

    @Test
    void usesTheBindMountedSocketDirectlyForAContainerFoundByLabel() throws Exception {
        String role = "edge-" + UUID.randomUUID();
        startHaproxy(PodmanEngine.Image.WITH_SOCAT, "/run/haproxy/admin.sock", false, Map.of("dev.hapcert.it", role));
        writeConfig("label=dev.hapcert.it=" + role, "/run/haproxy/admin.sock", "engine-host: " + podman.address(), "");

        var first = issue();
        CommandRun added = deploy(first, Map.of());
        assertThat(added.exitCode()).as(added.describe()).isZero();
        assertThat(added.stderr()).contains("bind-mounted at " + tmp.resolve("run").toRealPath().resolve("admin.sock"));
        assertThat(served()).isEqualTo(first.serialHex());

        var renewed = issue();
        CommandRun updated = deploy(renewed, Map.of());
        assertThat(updated.exitCode()).as(updated.describe()).isZero();
        assertThat(served()).isEqualTo(renewed.serialHex());
    }

    @Test
    void namesTheFixWhenTheImageHasNoSocatAndWritesNothing() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITHOUT_SOCAT, "/tmp/admin.sock", false);
        writeConfig(podman.name(id), "/tmp/admin.sock", "engine-host: " + podman.address(), "");
        CommandRun run = deploy(issue(), Map.of());
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(5);
        assertThat(run.stdout() + run.stderr()).contains("has no socat").contains("install socat in the image");
        assertThat(tmp.resolve("etc/certs/" + NAME + ".pem")).doesNotExist();
    }

    @Test
    void fallsBackToACheckedReloadThroughTheEngine() throws Exception {
        // No socat in the image and the socket not mounted: the Runtime API is out of reach, a reload is allowed.
        String id = startHaproxy(PodmanEngine.Image.WITHOUT_SOCAT, "/tmp/admin.sock", true);
        writeConfig(podman.name(id), "/tmp/admin.sock", "engine-host: " + podman.address(), "reload: { method: container }");
        var first = issue();
        CommandRun run = deploy(first, Map.of());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stderr()).contains("falling back to a reload").contains("SIGUSR2");
        assertThat(served()).isEqualTo(first.serialHex());
    }

    @Test
    void refusesAStoppedContainer() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, "/tmp/admin.sock", false);
        writeConfig(podman.name(id), "/tmp/admin.sock", "engine-host: " + podman.address(), "reload: { method: container }");
        podman.stopContainer(id);
        CommandRun run = deploy(issue(), Map.of());
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(5);
        assertThat(run.stdout() + run.stderr()).contains("is not running").contains("start it");
        assertThat(tmp.resolve("etc/certs/" + NAME + ".pem")).doesNotExist();
    }

    @Test
    void refusesAPathNoMountHoldsBeforeWritingAnything() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, "/tmp/admin.sock", false);
        writeConfig(podman.name(id), "/tmp/admin.sock", "engine-host: " + podman.address(), "cert-dir: /opt/certs");
        CommandRun run = deploy(issue(), Map.of());
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(8);
        assertThat(run.stdout() + run.stderr()).contains("/opt/certs is not on a bind mount");
    }

    @Test
    void explainsAnEngineWhoseApiVersionsHapcertCannotSpeak() throws Exception {
        Path socket = tmp.resolve("old-engine.sock");
        try (OldEngine old = new OldEngine(socket)) {
            port = FreePorts.next();
            writeConfig("haproxy", "/tmp/admin.sock", "engine-host: unix://" + socket, "");
            CommandRun run = deploy(issue(), Map.of());
            assertThat(run.exitCode()).as(run.describe()).isEqualTo(5);
            assertThat(run.stdout() + run.stderr()).contains("serves API versions up to 1.12").contains("upgrade the engine");
        }
    }

    @Test
    void diagnosesTheWiringOfContainerTargets() throws Exception {
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, "/tmp/admin.sock", false);
        writeConfig(podman.name(id), "/tmp/admin.sock", "engine-host: " + podman.address(), "");
        List<ContainerFinding> good = ContainerDiagnosis.diagnose(target(), Map.of());
        assertThat(good).extracting(ContainerFinding::check).containsExactly(ContainerFinding.Check.values());
        assertThat(good).allSatisfy(f -> assertThat(f.status()).as(f.toString()).isEqualTo(ContainerFinding.Status.OK));
        assertThat(good.get(2).detail()).contains("/etc/haproxy = " + tmp.resolve("etc").toRealPath());
        CommandRun doctor = doctor();
        assertThat(doctor.exitCode()).as(doctor.describe()).isZero();
        assertThat(doctor.stdout()).contains("container-engine", "container-container", "container-mounts",
                "container-tools", "container-socket");

        String bare = startHaproxy(PodmanEngine.Image.WITHOUT_SOCAT, "/tmp/admin.sock", false);
        writeConfig(podman.name(bare), "/tmp/admin.sock", "engine-host: " + podman.address(), "");
        List<ContainerFinding> noSocat = ContainerDiagnosis.diagnose(target(), Map.of());
        assertThat(noSocat.get(3).status()).isEqualTo(ContainerFinding.Status.FAIL);
        assertThat(noSocat.get(3).fix()).contains("install socat");
        assertThat(noSocat.get(4).status()).isEqualTo(ContainerFinding.Status.SKIPPED);
        CommandRun doctorNoSocat = doctor();
        assertThat(doctorNoSocat.exitCode()).as(doctorNoSocat.describe()).isEqualTo(8);
        assertThat(doctorNoSocat.stdout()).contains("container-tools").contains("install socat");

        podman.stopContainer(bare);
        List<ContainerFinding> stopped = ContainerDiagnosis.diagnose(target(), Map.of());
        assertThat(stopped.get(0).status()).isEqualTo(ContainerFinding.Status.OK);
        assertThat(stopped.get(1).status()).isEqualTo(ContainerFinding.Status.FAIL);
        assertThat(stopped.get(1).fix()).contains("docker start");

        writeConfig("haproxy", "/tmp/admin.sock", "", "");
        List<ContainerFinding> noEngine = ContainerDiagnosis.diagnose(target(),
                Map.of("DOCKER_HOST", "unix://" + tmp.resolve("nothing.sock")));
        assertThat(noEngine.get(0).status()).isEqualTo(ContainerFinding.Status.FAIL);
        assertThat(noEngine.get(0).detail()).contains("nothing.sock");
    }

    @Test
    void writesIssuerFilesThroughTheMountsAndAfterARestartDeploysWithoutTheChain() throws Exception {
        TestCertificates.Authority ca = TestCertificates.newRootCa("IT Root").intermediate("IT issuers CA");
        Path issuers = Files.createDirectories(tmp.resolve("etc/issuers"));
        String id = startHaproxy(PodmanEngine.Image.WITH_SOCAT, "/tmp/admin.sock", false, Map.of(),
                List.of("  issuers-chain-path /etc/haproxy/issuers"));
        // No paths: they come from the container's mounts, for the issuers directory too.
        writeConfig(podman.name(id), "/tmp/admin.sock", "engine-host: " + podman.address(),
                "issuers-chain-path: /etc/haproxy/issuers");
        var cert = ca.leaf(NAME).serial(randomSerial()).issue();
        CommandRun added = deploy(cert, Map.of());
        assertThat(added.exitCode()).as(added.describe()).isZero();
        Path bundle = tmp.resolve("etc/certs/" + NAME + ".pem");
        assertThat(Files.readString(bundle).split("BEGIN CERTIFICATE", -1)).as("with its chain").hasSize(3);

        Path home = Path.of(System.getProperty("hapcert.home", System.getProperty("user.dir")));
        CommandRun write = CommandRun.run(List.of(home.resolve("bin/hapcert").toString(), "issuers", "--write",
                "--config", tmp.resolve("hapcert.yml").toString()), Map.of(), tmp, Duration.ofSeconds(120));
        assertThat(write.exitCode()).as(write.describe()).isZero();
        assertThat(write.stdout()).contains("IT issuers CA").contains("wrote ");
        Path file;
        try (var files = Files.list(issuers)) {
            file = files.collect(java.util.stream.Collectors.toList()).get(0);
        }
        assertThat(Files.readString(file)).isEqualTo(TestCertificates.pem(ca.certificate()));

        // HAProxy reads the directory when it starts; hapcert counts the file once it is older than that start.
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(60)));
        podman.restartContainer(id);
        awaitServing();
        CommandRun again = deploy(cert, Map.of());
        assertThat(again.exitCode()).as(again.describe()).isZero();
        assertThat(again.stdout()).containsIgnoringCase("updated");
        assertThat(Files.readString(bundle).split("BEGIN CERTIFICATE", -1)).as("key and leaf only").hasSize(2);
        assertThat(HaproxyProcess.servedChain(port, NAME)).containsExactly(cert.leaf(), ca.certificate());
    }

    private TargetConfig target() throws Exception {
        return ConfigLoader.load(tmp.resolve("hapcert.yml")).targets().get(0);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private String startHaproxy(PodmanEngine.Image image, String statsSocket, boolean masterWorker) throws Exception {
        return startHaproxy(image, statsSocket, masterWorker, Map.of());
    }

    /** HAProxy with a default certificate and an empty crt-list under /etc/haproxy (bind-mounted from tmp/etc). */
    private String startHaproxy(PodmanEngine.Image image, String statsSocket, boolean masterWorker,
                                Map<String, String> labels) throws Exception {
        return startHaproxy(image, statsSocket, masterWorker, labels, List.of());
    }

    /** As above, with more lines for haproxy.cfg's global section. */
    private String startHaproxy(PodmanEngine.Image image, String statsSocket, boolean masterWorker,
                                Map<String, String> labels, List<String> global) throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc/certs"));
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(tmp.resolve("etc/default.pem"), TestCertificates.newRootCa("Default").leaf("default.invalid")
                .serial(randomSerial()).issue().haproxyPem());
        Files.writeString(tmp.resolve("etc/crt-list.txt"), "");
        port = FreePorts.next();
        Files.writeString(tmp.resolve("etc/haproxy.cfg"), String.join("\n",
                "global", "  stats socket " + statsSocket + " mode 600 level admin", String.join("\n", global),
                "defaults", "  mode http", "  timeout client 5s", "  timeout server 5s", "  timeout connect 5s",
                "frontend f", "  bind 127.0.0.1:" + port + " ssl crt /etc/haproxy/default.pem crt-list /etc/haproxy/crt-list.txt",
                "  http-request return status 200", ""));
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/haproxy"));
        if (masterWorker) {
            cmd.add("-W");
        }
        cmd.addAll(List.of("-f", "/etc/haproxy/haproxy.cfg"));
        String id = podman.runContainer(podman.image(image), Map.of(etc.getParent(), "/etc/haproxy", run, "/run/haproxy"),
                labels, cmd);
        awaitServing();
        return id;
    }

    private void writeConfig(String container, String socket, String dockerExtra, String targetExtra) throws IOException {
        String yml = String.join("\n",
                "targets:",
                "  - name: box",
                "    crt-list: /etc/haproxy/crt-list.txt",
                targetExtra.startsWith("cert-dir:") ? "" : "    cert-dir: /etc/haproxy/certs",
                "    lock-file: " + tmp.resolve("box.lock"),
                targetExtra.isEmpty() ? "" : "    " + targetExtra,
                "    docker:",
                "      container: \"" + container + "\"",
                "      socket-in-container: " + socket,
                dockerExtra.isEmpty() ? "" : "      " + dockerExtra,
                "");
        Files.writeString(tmp.resolve("hapcert.yml"), yml);
    }

    private TestCertificates.Issued issue() {
        return TestCertificates.newRootCa("IT Root").leaf(NAME).serial(randomSerial()).issue();
    }

    private static BigInteger randomSerial() {
        return new BigInteger(63, new SecureRandom()).setBit(62);
    }

    /** Writes a certbot live directory and runs the deploy hook's command line. */
    private CommandRun deploy(TestCertificates.Issued cert, Map<String, String> env) throws IOException {
        Path live = Files.createDirectories(tmp.resolve("live/" + NAME));
        Files.writeString(live.resolve("fullchain.pem"), cert.fullchainPem());
        Files.writeString(live.resolve("privkey.pem"), cert.keyPkcs8Pem());
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("DOCKER_HOST", "unix://" + tmp.resolve("no-engine-here.sock"));
        Path home = Path.of(System.getProperty("hapcert.home", System.getProperty("user.dir")));
        long t0 = System.nanoTime();
        CommandRun run = CommandRun.run(List.of(home.resolve("bin/hapcert").toString(), "deploy", "--config",
                tmp.resolve("hapcert.yml").toString(), "--lineage", live.toString(), "--verify-tls", "127.0.0.1:" + port),
                all, tmp, Duration.ofSeconds(120));
        System.err.printf("hapcert deploy: %d ms, exit %d%n", (System.nanoTime() - t0) / 1_000_000, run.exitCode());
        return run;
    }

    /** {@code hapcert doctor} on the current configuration, as an operator runs it. */
    private CommandRun doctor() {
        Path home = Path.of(System.getProperty("hapcert.home", System.getProperty("user.dir")));
        return CommandRun.run(List.of(home.resolve("bin/hapcert").toString(), "doctor", "--config",
                tmp.resolve("hapcert.yml").toString(), "--certbot-dir", tmp.resolve("no-certbot").toString()),
                Map.of(), tmp, Duration.ofSeconds(120));
    }

    private String served() throws Exception {
        return HaproxyCertFormat.serial(TlsProbe.servedCertificate("127.0.0.1", port, NAME));
    }

    private void awaitServing() throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                Thread.sleep(100); // the stats socket follows the listener within a few ms
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("HAProxy did not start listening on " + port);
    }

    /** An engine that serves only API versions up to 1.12, older than hapcert speaks: a real engine cannot be made to. */
    private static final class OldEngine implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Thread thread;

        OldEngine(Path socket) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(this::serve, "old-engine");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            String body = "{\"Version\":\"1.0.0\",\"ApiVersion\":\"1.12\",\"Os\":\"linux\"}";
            String response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body;
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(8192);
                    while (ch.read(in) > 0 && !new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)
                            .contains("\r\n\r\n")) {
                        // read the request head
                    }
                    ch.write(ByteBuffer.wrap(response.getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
