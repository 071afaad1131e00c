package dev.hapcert.haproxy.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in Docker engine for the one fault a real Podman cannot produce: refusing API versions (Podman 4
 * accepts any). It answers {@code /_ping} as Docker does (its newest version in an {@code Api-Version} header,
 * left out when built {@link #withoutPingHeader}), {@code /version} with the given range and every other request
 * with Docker 29's exact 400 refusal, and records the request lines it saw.
 */
final class FakeEngine implements AutoCloseable {
    private final ServerSocketChannel server;
    private final String versionJson;
    private final String refusal;
    private final String pingHeader;
    final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final Thread thread;

    private FakeEngine(ServerSocketChannel server, String apiVersion, String minVersion, String refusal, boolean pingHeader) {
        this.server = server;
        this.pingHeader = pingHeader ? "Api-Version: " + apiVersion + "\r\n" : "";
        this.versionJson = "{\"Version\":\"29.0.0\",\"ApiVersion\":\"" + apiVersion + "\",\"MinAPIVersion\":\""
                + minVersion + "\",\"Os\":\"linux\"}";
        this.refusal = refusal;
        this.thread = new Thread(this::serve, "fake-engine");
        thread.setDaemon(true);
        thread.start();
    }

    static FakeEngine onUnixSocket(Path socket, String apiVersion, String minVersion, String refusal) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        return new FakeEngine(s, apiVersion, minVersion, refusal, true);
    }

    /** An engine whose {@code /_ping} names no version (a proxy in front of the engine may drop the header). */
    static FakeEngine withoutPingHeader(Path socket, String apiVersion, String minVersion, String refusal)
            throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        return new FakeEngine(s, apiVersion, minVersion, refusal, false);
    }

    static FakeEngine onLoopback(String apiVersion, String minVersion, String refusal) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakeEngine(s, apiVersion, minVersion, refusal, true);
    }

    SocketAddress address() throws IOException {
        return server.getLocalAddress();
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                String head = readHead(ch);
                String line = head.lines().findFirst().orElse("");
                requestLines.add(line);
                boolean ping = line.startsWith("GET /_ping ");
                boolean version = line.startsWith("GET /version ");
                String body = ping ? "OK" : version ? versionJson : "{\"message\":\"" + refusal + "\"}";
                String status = ping || version ? "200 OK" : "400 Bad Request";
                String headers = (ping ? pingHeader + "Content-Type: text/plain" : "Content-Type: application/json")
                        + "\r\n";
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                ch.write(ByteBuffer.wrap(("HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: "
                        + b.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                ch.write(ByteBuffer.wrap(b));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static String readHead(SocketChannel ch) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            one.clear();
            if (ch.read(one) < 0) {
                break;
            }
            head.write(one.array()[0]);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
