package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.OtherUsers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way of not reaching a Runtime API gives a message naming the socket and the fix. */
class SocketFailuresTest {
    @TempDir
    Path dir;

    private static HaproxyUnreachableException connect(RuntimeApiAddress a) {
        try (RuntimeApiConnection c = RuntimeApiConnection.open(a, RuntimeApiTimeouts.DEFAULT)) {
            throw new AssertionError("connected to " + a);
        } catch (HaproxyUnreachableException e) {
            return e;
        }
    }

    @Test
    void missingSocket() {
        Path p = dir.resolve("admin.sock");
        assertThat(connect(RuntimeApiAddress.unix(p)).getMessage()).startsWith("no such socket: " + p)
                .contains("stats socket");
        Path deeper = dir.resolve("nodir/admin.sock");
        assertThat(connect(RuntimeApiAddress.unix(deeper)).getMessage()).contains("does not exist either");
    }

    @Test
    void regularFileAndDirectory() throws Exception {
        Path f = Files.writeString(dir.resolve("admin.sock"), "not a socket");
        assertThat(connect(RuntimeApiAddress.unix(f)).getMessage()).isEqualTo(f + " is a regular file, not a socket;"
                + " point hapcert at the path of HAProxy's 'stats socket' line (a stale copy or a pid file may be in the way)");
        assertThat(connect(RuntimeApiAddress.unix(dir)).getMessage()).contains("is a directory, not a socket");
    }

    @Test
    void staleSocketFileWithNoListener() throws Exception {
        Path p = dir.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(p));
        }
        assertThat(Files.exists(p)).isTrue();
        assertThat(connect(RuntimeApiAddress.unix(p)).getMessage()).startsWith("connection refused on " + p)
                .contains("no HAProxy listens on it");
    }

    @Test
    void tcpPortWithNoListener() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(connect(RuntimeApiAddress.tcp("127.0.0.1", port)).getMessage())
                .startsWith("connection refused at ipv4@127.0.0.1:" + port);
    }

    @Test
    void aPeerThatIsNotHaproxyTimesOutInsteadOfHanging() throws Exception {
        Path p = dir.resolve("silent.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(p));
            RuntimeApiTimeouts quick = new RuntimeApiTimeouts(java.time.Duration.ofSeconds(1),
                    java.time.Duration.ofMillis(300), java.time.Duration.ZERO);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> RuntimeApiConnection.open(RuntimeApiAddress.unix(p), quick))
                    .isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("no answer to 'prompt'").hasMessageContaining("within 300 ms");
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(3));
        }
    }

    /**
     * Root bypasses permission checks on unix sockets, so this runs the probe as user nobody (setpriv) when the
     * tests run as root, and skips otherwise unless the socket is really not ours.
     */
    @Test
    void permissionDenied() throws Exception {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(root && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root and setpriv to run a probe as another user (as root the check is bypassed)");
        String cp = System.getProperty("java.class.path");
        assumeTrue(OtherUsers.canRead(Path.of("target/classes")) && OtherUsers.canRead(Path.of("target/test-classes")),
                "the probe runs as nobody, who cannot read this checkout's classes (a private directory)");
        try (HaproxyProcess h = HaproxyProcess.builder().start()) {
            // Let nobody reach the socket's directory but not the socket itself (mode 600, owned by root).
            Files.setPosixFilePermissions(h.dir(), PosixFilePermissions.fromString("rwx--x--x"));
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
                    "--clear-groups", javaBin, "-cp", cp, ConnectProbe.class.getName(), h.adminSocket().toString()))
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).contains("permission denied on the Runtime API socket " + h.adminSocket())
                    .contains("run hapcert as the socket's owner or group");
        }
    }
}
