package dev.hapcert.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real Pebble ACME test CA (Debian's {@code pebble}) on loopback, in its own temp dir, with challenge validation
 * skipped ({@code PEBBLE_VA_ALWAYS_VALID}) so certbot issues in about a second. Stopped by {@link #close()}.
 */
public final class Pebble implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;
    private final Path caBundle;

    private Pebble(Path dir, Process process, int port, Path caBundle) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.caBundle = caBundle;
    }

    public static Pebble start(Path dir) {
        try {
            Files.createDirectories(dir);
            TestCertificates.Authority ca = TestCertificates.newRootCa("hapcert test Pebble CA");
            TestCertificates.Issued tls = ca.leaf("localhost").issue();
            Path cert = dir.resolve("pebble-cert.pem");
            Path key = dir.resolve("pebble-key.pem");
            Path caFile = dir.resolve("pebble-ca.pem");
            Files.writeString(cert, tls.fullchainPem());
            Files.writeString(key, tls.keyPkcs8Pem());
            Files.writeString(caFile, TestCertificates.pem(ca.certificate()));
            for (int attempt = 0; attempt < 5; attempt++) {
                int port = FreePorts.next();
                String config = """
                        {"pebble":{"listenAddress":"127.0.0.1:%d","managementListenAddress":"127.0.0.1:%d",
                        "certificate":"%s","privateKey":"%s","httpPort":%d,"tlsPort":%d,
                        "ocspResponderURL":"","externalAccountBindingRequired":false}}
                        """.formatted(port, FreePorts.next(), cert, key, FreePorts.next(), FreePorts.next());
                Path configFile = dir.resolve("pebble.json");
                Files.writeString(configFile, config);
                ProcessBuilder pb = new ProcessBuilder("pebble", "-config", configFile.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
                pb.environment().put("PEBBLE_VA_ALWAYS_VALID", "1");
                pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
                pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
                Process p = pb.start();
                if (waitForPort(p, port)) {
                    Pebble pebble = new Pebble(dir, p, port, caFile);
                    Runtime.getRuntime().addShutdownHook(new Thread(pebble::close));
                    return pebble;
                }
                p.destroyForcibly().waitFor();
            }
            throw new IllegalStateException("Pebble did not start: " + Files.readString(dir.resolve("pebble.log"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean waitForPort(Process p, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    /** The ACME directory URL. */
    public String directoryUrl() {
        return "https://localhost:" + port + "/dir";
    }

    /** The CA that signed Pebble's own TLS certificate, for REQUESTS_CA_BUNDLE. */
    public Path caBundle() {
        return caBundle;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
