package dev.hapcert.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A load generator for the zero-downtime benchmark: THREADS threads each open a new TLS connection to HOST:PORT
 * with SNI NAME, send one HTTP/1.1 request, read the answer and close, as fast as they can, paced to at most RATE
 * handshakes a second in all, until STOP_FILE exists or SECONDS have passed (a hard bound). Every handshake's
 * leaf serial is recorded, so the caller can check that clients saw every deployed certificate.
 *
 * <pre>HandshakeLoad HOST PORT NAME THREADS RATE SECONDS STOP_FILE SERIALS_OUT</pre>
 * Prints one line: {@code handshakes=N failed=F p50_ms=.. p99_ms=.. serials=S}; SERIALS_OUT gets the distinct
 * serials seen (upper-case hex, as HAProxy prints them), one a line. Loopback only: the caller passes 127.0.0.1.
 */
public final class HandshakeLoad {
    private HandshakeLoad() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String name = args[2];
        int threads = Integer.parseInt(args[3]);
        int rate = Integer.parseInt(args[4]);
        long deadline = System.nanoTime() + Long.parseLong(args[5]) * 1_000_000_000L;
        Path stop = Path.of(args[6]);
        Path serialsOut = Path.of(args[7]);

        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
        Set<String> serials = ConcurrentHashMap.newKeySet();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long intervalNanos = 1_000_000_000L * threads / Math.max(1, rate);
        byte[] request = ("GET / HTTP/1.1\r\nHost: " + name + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                long next = System.nanoTime();
                while (System.nanoTime() < deadline && !Files.exists(stop)) {
                    long started = System.nanoTime();
                    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(host, port)) {
                        s.setSoTimeout(5000);
                        // Without it the small writes of a handshake and request meet the peer's delayed ACK:
                        // about 40 ms per connection, which capped the generator far below its target rate.
                        s.setTcpNoDelay(true);
                        SSLParameters p = s.getSSLParameters();
                        p.setServerNames(List.of(new SNIHostName(name)));
                        s.setSSLParameters(p);
                        s.startHandshake();
                        X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
                        OutputStream out = s.getOutputStream();
                        out.write(request);
                        out.flush();
                        InputStream in = s.getInputStream();
                        byte[] head = in.readNBytes(12);
                        if (!new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
                            throw new IOException("answer was not 200");
                        }
                        // Never resume: a resumed session reports the certificate of the first handshake.
                        s.getSession().invalidate();
                        serials.add(leaf.getSerialNumber().toString(16).toUpperCase(Locale.ROOT));
                        latencies.add(System.nanoTime() - started);
                        ok.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet();
                    }
                    next += intervalNanos;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        try {
                            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    } else {
                        next = System.nanoTime();
                    }
                }
            });
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        Files.write(serialsOut, serials);
        System.out.printf(Locale.ROOT, "handshakes=%d failed=%d p50_ms=%.1f p99_ms=%.1f serials=%d%n", ok.get(), failed.get(),
                percentile(sorted, 50), percentile(sorted, 99), serials.size());
    }

    private static double percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.min(sorted.size() - 1, Math.ceil(p / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, i)) / 1e6;
    }

    /** The benchmark checks which certificate is served, not whom it trusts. */
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
