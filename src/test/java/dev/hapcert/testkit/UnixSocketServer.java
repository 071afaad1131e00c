package dev.hapcert.testkit;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A unix-socket server for the tests that stand in for HAProxy's Runtime API or sit in front of it. Each connection
 * is handled on a daemon thread of its own: hapcert keeps one connection open while it opens another (to verify, to
 * look ahead), so one at a time would deadlock. Accepts until closed.
 */
public final class UnixSocketServer implements AutoCloseable {
    private final ServerSocketChannel server;

    public UnixSocketServer(Path socket, String name, Consumer<SocketChannel> handler) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread accepting = new Thread(() -> acceptEach(name, handler), name);
        accepting.setDaemon(true);
        accepting.start();
    }

    private void acceptEach(String name, Consumer<SocketChannel> handler) {
        while (server.isOpen()) {
            try {
                SocketChannel connection = server.accept();
                Thread t = new Thread(() -> handler.accept(connection), name + "-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                // Closed by the test.
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
