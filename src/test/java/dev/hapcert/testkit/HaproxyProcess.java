package dev.hapcert.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real HAProxy ({@link #HAPROXY}) in a private temp dir, for tests. It runs in the foreground as a child of
 * the JVM (master-worker mode optional), so {@link #stop()} can kill and reap it and every worker; a JVM shutdown hook
 * stops whatever a test forgot. HAProxy's own output goes to {@code haproxy.log} in its dir and is printed only when
 * a start fails.
 *
 * <pre>
 * try (HaproxyProcess h = HaproxyProcess.builder().tcpSocket().start()) {
 *     h.adminSocket(); h.crtList(); h.servedCertificate("a.example.test");
 * }
 * </pre>
 *
 * Layout: {@code <dir>/haproxy.cfg}, {@code admin.sock} (level admin), optional {@code operator.sock} and
 * {@code user.sock}, optional {@code master.sock}, {@code certs/default.pem} (minted by {@link TestCertificates}),
 * {@code crt-list.txt} (empty at start), one frontend {@code bind 127.0.0.1:<port> ssl crt default.pem crt-list ...}
 * answering 200 "ok".
 */
public final class HaproxyProcess implements AutoCloseable {
    /**
     * Debian's {@code /usr/sbin/haproxy}, or the binary named by {@code -Dhapcert.test.haproxy=...}: the second pass
     * of {@code ./run test} runs the suite against HAProxy 3.0 that way (scripts/haproxy-3.0.sh).
     */
    public static final Path HAPROXY = Path.of(System.getProperty("hapcert.test.haproxy", "/usr/sbin/haproxy"));
    private static final Set<HaproxyProcess> RUNNING = ConcurrentHashMap.newKeySet();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(HaproxyProcess::stop),
                "stop-test-haproxy"));
    }

    private final Builder options;
    private final Path dir;
    private final TestCertificates.Authority ca;
    private Process process;
    private int httpsPort;
    private int tcpPort;

    /** Options; {@link #start()} makes the process. */
    public static final class Builder {
        private boolean tcpSocket;
        private boolean lowLevelSockets;
        private boolean masterWorker;
        private boolean crtBase;
        private String issuers;
        private boolean logConnections;
        private HaproxyProcess filesOf;

        /** Adds {@code stats socket ipv4@127.0.0.1:<free port> level admin}. */
        public Builder tcpSocket() {
            tcpSocket = true;
            return this;
        }

        /** Adds {@code operator.sock} (level operator) and {@code user.sock} (level user). */
        public Builder lowLevelSockets() {
            lowLevelSockets = true;
            return this;
        }

        /** Runs {@code haproxy -W -S <dir>/master.sock}. */
        public Builder masterWorker() {
            masterWorker = true;
            return this;
        }

        /** Adds {@code crt-base <dir>/certs} to {@code global}. */
        public Builder crtBase() {
            crtBase = true;
            return this;
        }

        /**
         * Adds {@code issuers-chain-path <dir>/issuers} to {@code global}, with one file holding {@code pem}; an empty
         * {@code pem} leaves the directory empty.
         */
        public Builder issuersChain(String pem) {
            issuers = pem;
            return this;
        }

        /** Logs every connection of the https frontend (HTTP log format) into {@code haproxy.log}, see {@link #log()}. */
        public Builder logConnections() {
            logConnections = true;
            return this;
        }

        /**
         * Reads its certificate directory and crt-list from {@code other}'s (two instances on one set of files, as two
         * containers mounting one host directory); they stay {@code other}'s, which must outlive this one.
         */
        public Builder filesOf(HaproxyProcess other) {
            filesOf = other;
            return this;
        }

        public HaproxyProcess start() {
            HaproxyProcess h = new HaproxyProcess(this);
            h.startWithRetries();
            return h;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private HaproxyProcess(Builder options) {
        this.options = options;
        try {
            // A short name: a unix socket path must stay under 108 bytes.
            this.dir = Files.createTempDirectory("hap");
            Files.createDirectories(certsDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.ca = options.filesOf != null ? options.filesOf.ca
                : TestCertificates.newRootCa("hapcert test CA " + dir.getFileName());
        if (options.filesOf == null) {
            TestCertificates.Issued def = mint("default.hapcert.test");
            writePrivate(defaultCert(), def.haproxyPem());
            writePrivate(crtList(), "");
        }
        if (options.issuers != null) {
            try {
                Files.createDirectories(issuersDir());
                if (!options.issuers.isEmpty()) {
                    Path issuer = Files.writeString(issuersDir().resolve("issuer.pem"), options.issuers);
                    // Well before the start: hapcert counts only files HAProxy read when it started.
                    Files.setLastModifiedTime(issuer, java.nio.file.attribute.FileTime.from(
                            java.time.Instant.now().minusSeconds(60)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The {@code issuers-chain-path} directory, with {@link Builder#issuersChain}. */
    public Path issuersDir() {
        return dir.resolve("issuers");
    }

    // ---- paths ----------------------------------------------------------------------------------------------------

    public Path dir() {
        return dir;
    }

    public Path certsDir() {
        return options.filesOf != null ? options.filesOf.certsDir() : dir.resolve("certs");
    }

    public Path defaultCert() {
        return certsDir().resolve("default.pem");
    }

    public Path crtList() {
        return options.filesOf != null ? options.filesOf.crtList() : dir.resolve("crt-list.txt");
    }

    public Path adminSocket() {
        return dir.resolve("admin.sock");
    }

    public Path operatorSocket() {
        return dir.resolve("operator.sock");
    }

    public Path userSocket() {
        return dir.resolve("user.sock");
    }

    public Path masterSocket() {
        return dir.resolve("master.sock");
    }

    public Path config() {
        return dir.resolve("haproxy.cfg");
    }

    /** {@code ipv4@127.0.0.1:<port>} of the TCP admin socket (only with {@link Builder#tcpSocket()}). */
    public String tcpAddress() {
        if (!options.tcpSocket) {
            throw new IllegalStateException("started without tcpSocket()");
        }
        return "ipv4@127.0.0.1:" + tcpPort;
    }

    public int httpsPort() {
        return httpsPort;
    }

    /** The CA that signed the default certificate; tests mint their leaves from it. */
    public TestCertificates.Authority ca() {
        return ca;
    }

    /**
     * A leaf from {@link #ca()} with a fresh random serial. (The serial is set explicitly: {@code LeafSpec.issue()}
     * without one currently fails, its record accessor {@code serial()} shadowing the static serial generator.)
     */
    public TestCertificates.Issued mint(String... dnsNames) {
        return ca.leaf(dnsNames).serial(new BigInteger(63, RANDOM).add(BigInteger.ONE)).issue();
    }

    /** The pid of the process started (the master in master-worker mode). */
    public long pid() {
        return process.pid();
    }

    // ---- lifecycle --------------------------------------------------------------------------------------------------

    private void startWithRetries() {
        String lastLog = "";
        for (int attempt = 1; attempt <= 3; attempt++) {
            httpsPort = freePort();
            tcpPort = freePort();
            writeConfig();
            if (tryStart()) {
                return;
            }
            lastLog = log();
            if (!lastLog.contains("Address already in use") && !lastLog.contains("cannot bind")) {
                break;
            }
        }
        System.err.println("HAProxy failed to start in " + dir + ":\n" + lastLog);
        throw new IllegalStateException("HAProxy failed to start in " + dir + " (its log is printed above)");
    }

    /** Stops, then starts again on the same config and ports. */
    public void restart() {
        stop();
        if (!tryStart()) {
            System.err.println("HAProxy failed to restart in " + dir + ":\n" + log());
            throw new IllegalStateException("HAProxy failed to restart in " + dir);
        }
    }

    private boolean tryStart() {
        List<String> cmd = new ArrayList<>(List.of(HAPROXY.toString()));
        if (options.masterWorker) {
            cmd.addAll(List.of("-W", "-S", masterSocket() + ",mode,600"));
        }
        cmd.addAll(List.of("-f", config().toString()));
        try {
            Files.deleteIfExists(adminSocket());
            Files.deleteIfExists(masterSocket());
            process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RUNNING.add(this);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                stop();
                return false;
            }
            if (answers(adminSocket()) && (!options.masterWorker || answers(masterSocket()))) {
                return true;
            }
            sleep(50);
        }
        stop();
        return false;
    }

    /** True when the socket answers {@code show info} like HAProxy. */
    private static boolean answers(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("show info\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer b = ByteBuffer.allocate(64);
            ch.read(b);
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).contains("Name:")
                    || b.position() > 0 && socket.getFileName().toString().startsWith("master");
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills HAProxy and every worker, and reaps them; idempotent. */
    public void stop() {
        Process p = process;
        if (p == null) {
            RUNNING.remove(this);
            return;
        }
        List<ProcessHandle> all = new ArrayList<>();
        p.toHandle().descendants().forEach(all::add);
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                all.forEach(ProcessHandle::destroyForcibly);
                p.waitFor(5, TimeUnit.SECONDS);
            }
            for (ProcessHandle h : all) {
                if (h.isAlive()) {
                    h.destroyForcibly();
                    h.onExit().get(5, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not stop HAProxy " + p.pid(), e);
        }
        process = null;
        RUNNING.remove(this);
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops HAProxy and deletes its dir. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HAProxy's own output so far. */
    public String log() {
        try {
            Path log = dir.resolve("haproxy.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    // ---- checks -----------------------------------------------------------------------------------------------------

    /** The leaf certificate HAProxy serves for {@code sni}, by a real TLS handshake (trusting anything: tests only). */
    public X509Certificate servedCertificate(String sni) {
        return servedChain(sni).get(0);
    }

    /** Every certificate HAProxy sends for {@code sni}, leaf first. */
    public List<X509Certificate> servedChain(String sni) {
        return servedChain(httpsPort, sni);
    }

    /** Every certificate the TLS server on loopback {@code port} sends for {@code sni}, leaf first. */
    public static List<X509Certificate> servedChain(int httpsPort, String sni) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), httpsPort), 5000);
                s.setSoTimeout(5000);
                SSLParameters params = s.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName(sni)));
                s.setSSLParameters(params);
                s.startHandshake();
                List<X509Certificate> chain = new ArrayList<>();
                for (java.security.cert.Certificate c : s.getSession().getPeerCertificates()) {
                    chain.add((X509Certificate) c);
                }
                return chain;
            }
        } catch (Exception e) {
            throw new IllegalStateException("TLS handshake with SNI " + sni + " on port " + httpsPort + " failed", e);
        }
    }

    /** Writes a file readable by its owner only (certificates here carry keys). */
    public static void writePrivate(Path file, String content) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- internals --------------------------------------------------------------------------------------------------

    private void writeConfig() {
        StringBuilder c = new StringBuilder();
        c.append("global\n");
        c.append("  stats socket ").append(adminSocket()).append(" mode 600 level admin\n");
        if (options.tcpSocket) {
            c.append("  stats socket ipv4@127.0.0.1:").append(tcpPort).append(" level admin\n");
        }
        if (options.lowLevelSockets) {
            c.append("  stats socket ").append(operatorSocket()).append(" mode 600 level operator\n");
            c.append("  stats socket ").append(userSocket()).append(" mode 600 level user\n");
        }
        if (options.crtBase) {
            c.append("  crt-base ").append(certsDir()).append('\n');
        }
        if (options.issuers != null) {
            c.append("  issuers-chain-path ").append(issuersDir()).append('\n');
        }
        if (options.logConnections) {
            c.append("  log stderr format raw local0 info\n");
        }
        c.append("defaults\n  mode http\n  timeout client 10s\n  timeout server 10s\n  timeout connect 5s\n");
        if (options.logConnections) {
            c.append("  log global\n  option httplog\n");
        }
        c.append("frontend https\n");
        c.append("  bind 127.0.0.1:").append(httpsPort).append(" ssl crt ").append(defaultCert())
                .append(" crt-list ").append(crtList()).append('\n');
        c.append("  http-request return status 200 content-type text/plain string ok\n");
        try {
            Files.writeString(config(), c.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port free right now; a race with another process is handled by retrying the start. */
    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
