package dev.hapcert.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.HaproxyProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The probe behind {@code --verify-tls}, against a real HAProxy that logs its connections: what it reads, and how it
 * leaves: HAProxy must see a complete handshake (no "SSL handshake failure" in its log for a probe), and the
 * connection's TIME_WAIT must stay on HAProxy's side, not take one of this host's ports for a minute per probe.
 */
class TlsProbeTest {
    private static final int PROBES = 20;

    @Test
    void readsTheServedCertificateAndLeavesAsAClientWithoutARequest() throws Exception {
        try (HaproxyProcess haproxy = HaproxyProcess.builder().logConnections().start()) {
            int port = haproxy.httpsPort();
            // Left by an earlier user of the same port number, if any (they expire, never grow, on their own).
            long before = clientSideTimeWait(port);
            // No name of the crt-list: every probe gets the default certificate (the first probe tells which).
            var expected = TlsProbe.servedCertificate("127.0.0.1", port, "probe.test").getSerialNumber();
            for (int i = 1; i < PROBES; i++) {
                assertThat(TlsProbe.servedCertificate("127.0.0.1", port, "probe" + i + ".test").getSerialNumber())
                        .isEqualTo(expected);
            }
            Thread.sleep(200);  // HAProxy logs a connection when it ends
            String log = haproxy.log();
            assertThat(log).doesNotContain("SSL handshake failure");
            assertThat(log.lines().filter(l -> l.contains("<BADREQ>"))).hasSizeGreaterThanOrEqualTo(PROBES);
            assertThat(clientSideTimeWait(port)).as("connections in TIME_WAIT on this side, to port " + port)
                    .isLessThanOrEqualTo(before);
        }
    }

    /** Connections to {@code port} in TIME_WAIT whose local end is not {@code port}: the client's side. */
    private static long clientSideTimeWait(int port) throws IOException {
        String hex = String.format("%04X", port);
        long count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);  // read once: the table changes between two reads
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                // f[1] local address:port, f[2] remote address:port, f[3] state (06 = TIME_WAIT)
                if (f[3].equals("06") && f[2].endsWith(":" + hex) && !f[1].endsWith(":" + hex)) {
                    count++;
                }
            }
        }
        return count;
    }
}
