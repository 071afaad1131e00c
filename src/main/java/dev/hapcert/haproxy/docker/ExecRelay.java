package dev.hapcert.haproxy.docker;

import dev.hapcert.error.HaproxyUnreachableException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A unix socket on this host, in a directory only this user can enter, whose every connection is carried byte for
 * byte by an exec of socat in the container to HAProxy's stats socket there. The Runtime API client then talks to
 * HAProxy through an exec exactly as through a socket: one exec per connection, commands streamed and pipelined,
 * instead of one exec (100-300 ms) per exchange.
 */
final class ExecRelay implements AutoCloseable {
    private final ExecChannel exec;
    private final List<String> argv;
    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> carried = ConcurrentHashMap.newKeySet();
    private final AtomicInteger execsEnded = new AtomicInteger();

    private ExecRelay(ExecChannel exec, List<String> argv, Path dir, ServerSocketChannel server) {
        this.exec = exec;
        this.argv = List.copyOf(argv);
        this.dir = dir;
        this.socket = dir.resolve("s");
        this.server = server;
    }

    /**
     * Listens on a new private socket and carries each connection to it through an exec of {@code argv} (a tool
     * connecting stdin and stdout to HAProxy's stats socket in the container).
     */
    static ExecRelay start(ExecChannel exec, List<String> argv) throws HaproxyUnreachableException {
        Path dir = null;
        ServerSocketChannel server = null;
        try {
            dir = Files.createTempDirectory("hapcert-exec",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(dir.resolve("s")));
            ExecRelay relay = new ExecRelay(exec, argv, dir, server);
            Thread acceptor = new Thread(relay::acceptEach, "hapcert-exec-relay");
            acceptor.setDaemon(true);
            acceptor.start();
            return relay;
        } catch (IOException | RuntimeException e) {
            closeQuietly(server);
            deleteQuietly(dir);
            throw new HaproxyUnreachableException("cannot open a local socket to carry the Runtime API of container "
                    + exec.container().describe() + ": " + e.getMessage(), e);
        }
    }

    /** The socket to connect to. */
    Path socket() {
        return socket;
    }

    /**
     * How many of its execs have ended so far (the tool exited, or the engine refused or dropped the exec); counted
     * before the connection it carried is closed. A connection that fails while this count stays the same failed in
     * HAProxy (it did not answer), not in the exec.
     */
    int execsEnded() {
        return execsEnded.get();
    }

    private void acceptEach() {
        while (true) {
            SocketChannel peer;
            try {
                peer = server.accept();
            } catch (IOException closed) {
                return;
            }
            carried.add(peer);
            exec.carry(argv, peer, () -> {
                execsEnded.incrementAndGet();
                carried.remove(peer);
            });
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        for (SocketChannel peer : carried) {
            closeQuietly(peer);
        }
        deleteQuietly(dir);
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // Nothing to do about a socket that will not close.
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve("s"));
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // A leftover empty directory in the temp dir harms nothing.
        }
    }
}
