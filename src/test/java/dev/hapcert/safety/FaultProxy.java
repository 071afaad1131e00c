package dev.hapcert.safety;

import dev.hapcert.testkit.UnixSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A unix socket in front of a REAL HAProxy's Runtime API that passes every command through except those a policy
 * chooses to fault: answer in HAProxy's place (a "currently locked" answer, a refused commit) or drop the connection
 * halfway through a payload. Only for faults a real HAProxy cannot be made to produce on demand; everything else,
 * including what a faulted deploy leaves behind, happens in the real HAProxy behind it.
 *
 * <p>Speaks prompt mode like HAProxy 2.6: each answer ends with {@code "\n> "}; payload lines are echoed as
 * {@code "+ "} by HAProxy itself, and by the proxy when it answers on its own.
 */
final class FaultProxy implements AutoCloseable {
    /** What to do with one command. */
    sealed interface Action permits Forward, Answer, DropMidPayload {
    }

    record Forward() implements Action {
    }

    /** Answer {@code text} without forwarding the command. */
    record Answer(String text) implements Action {
    }

    /** Forward the command line and half the payload, then close both connections. */
    record DropMidPayload() implements Action {
    }

    static final Action FORWARD = new Forward();

    /** One command as received: its line (without {@code " <<"}) and payload (null without one). */
    record Request(String line, String payload) {
        byte[] encode() {
            StringBuilder b = new StringBuilder(line);
            if (payload != null) {
                b.append(" <<\n").append(payload);
            }
            return b.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final Path socket;
    private final Path upstream;
    private final UnixSocketServer server;
    final List<String> received = new CopyOnWriteArrayList<>();

    FaultProxy(Path socket, Path upstream, Function<Request, Action> policy) throws IOException {
        this.socket = socket;
        this.upstream = upstream;
        Files.deleteIfExists(socket);
        server = new UnixSocketServer(socket, "fault-proxy", client -> relay(client, policy));
    }

    private void relay(SocketChannel clientChannel, Function<Request, Action> policy) {
        try (SocketChannel client = clientChannel;
             SocketChannel up = SocketChannel.open(UnixDomainSocketAddress.of(upstream))) {
            InputStream in = Channels.newInputStream(client);
            OutputStream out = Channels.newOutputStream(client);
            InputStream upIn = Channels.newInputStream(up);
            OutputStream upOut = Channels.newOutputStream(up);
            Request request;
            while ((request = readRequest(in)) != null) {
                received.add(request.line());
                Action action = request.line().equals("prompt") ? FORWARD : policy.apply(request);
                if (action instanceof Answer answer) {
                    out.write((plus(request) + answer.text() + "\n\n> ").getBytes(StandardCharsets.US_ASCII));
                } else if (action instanceof DropMidPayload) {
                    byte[] all = request.encode();
                    upOut.write(all, 0, all.length / 2);
                    upOut.flush();
                    break;
                } else {
                    upOut.write(request.encode());
                    upOut.flush();
                    out.write(readAnswer(upIn));
                }
                out.flush();
            }
        } catch (IOException e) {
            // The client or HAProxy closed the connection.
        }
    }

    private static String plus(Request r) {
        return r.payload() == null ? "" : "+ ".repeat((int) r.payload().lines().count());
    }

    /** Reads up to and including the prompt that ends an answer in prompt mode. */
    private static byte[] readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 3 && a[n - 3] == '\n' && a[n - 2] == '>' && a[n - 1] == ' ') {
                return a;
            }
        }
        throw new IOException("HAProxy closed the connection");
    }

    private static Request readRequest(InputStream in) throws IOException {
        String line = readLine(in);
        if (line == null) {
            return null;
        }
        if (!line.endsWith(" <<")) {
            return new Request(line, null);
        }
        StringBuilder payload = new StringBuilder();
        String l;
        while ((l = readLine(in)) != null && !l.isEmpty()) {
            payload.append(l).append('\n');
        }
        return new Request(line.substring(0, line.length() - 3), payload.toString());
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.append((char) c);
        }
        return c == -1 && b.length() == 0 ? null : b.toString();
    }

    Path socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
