package dev.hapcert.testkit;

import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.haproxy.BatchTransport;
import dev.hapcert.haproxy.RuntimeApiAddress;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A {@link BatchTransport} as through an exec in a container, but to a real HAProxy's socket on this host: every
 * exchange a whole connection of its own, the stream written while the answer is read (as socat does: HAProxy stops
 * reading while its replies wait). Records the command lines of each exchange (payloads left out: they hold keys), and
 * may rewrite a stream before it goes, to make HAProxy refuse something.
 */
public final class ConnectionPerExchange {
    private final Path socket;
    private final UnaryOperator<String> rewrite;
    private final List<List<String>> exchanges = new CopyOnWriteArrayList<>();
    private final List<Integer> sizes = new CopyOnWriteArrayList<>();

    public ConnectionPerExchange(Path socket, UnaryOperator<String> rewrite) {
        this.socket = socket;
        this.rewrite = rewrite;
    }

    public ConnectionPerExchange(Path socket) {
        this(socket, UnaryOperator.identity());
    }

    public BatchTransport transport() {
        return new BatchTransport(RuntimeApiAddress.unix(socket), "test carrier", this::carry, () -> { });
    }

    /** The command lines of each exchange so far, without {@code prompt} and {@code quit}. */
    public List<List<String>> exchanges() {
        return List.copyOf(exchanges);
    }

    /** The size in bytes of each exchange's stream so far. */
    public List<Integer> sizes() {
        return List.copyOf(sizes);
    }

    private byte[] carry(byte[] original) throws HaproxyUnreachableException {
        // ISO-8859-1 maps every byte to one char and back, so a rewrite that changes nothing changes no byte.
        byte[] stream = rewrite.apply(new String(original, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
        exchanges.add(commandLines(new String(original, StandardCharsets.ISO_8859_1)));
        sizes.add(original.length);
        try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Thread writer = new Thread(() -> {
                try {
                    s.write(ByteBuffer.wrap(stream));
                } catch (IOException ignored) {
                    // The read below ends short and says so.
                }
            });
            writer.start();
            byte[] answer = Channels.newInputStream(s).readAllBytes();
            writer.join();
            return answer;
        } catch (IOException | InterruptedException e) {
            throw new HaproxyUnreachableException("test carrier: " + e.getMessage(), e);
        }
    }

    private static List<String> commandLines(String stream) {
        List<String> lines = new ArrayList<>();
        boolean payload = false;
        for (String line : stream.split("\n", -1)) {
            if (payload) {
                payload = !line.isEmpty();
            } else if (line.endsWith(" <<")) {
                lines.add(line.substring(0, line.length() - 3));
                payload = true;
            } else if (!line.isEmpty() && !line.equals("prompt") && !line.equals("quit")) {
                lines.add(line);
            }
        }
        return lines;
    }
}
