package dev.hapcert.haproxy;

import dev.hapcert.testkit.UnixSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted Runtime API on a unix socket, only for faults a real HAProxy cannot be made to produce on demand
 * (a certificate lock held, a connection dropped mid-payload, an error echoing a payload). It speaks prompt mode like
 * 2.6.12: answers "prompt" with {@code "\n> "}, prints {@code "+ "} per payload line, ends answers with
 * {@code "\n\n> "}. The script maps a received command line to an answer; null closes the connection.
 */
final class FakeRuntimeApi implements AutoCloseable {
    private final UnixSocketServer server;
    final List<String> received = new CopyOnWriteArrayList<>();

    FakeRuntimeApi(Path socket, Function<Exchange, String> script) throws IOException {
        server = new UnixSocketServer(socket, "fake-runtime-api", ch -> converse(ch, script));
    }

    /** What the fake received: the command line and its payload (null without one). */
    record Exchange(String line, String payload) {
    }

    private void converse(SocketChannel channel, Function<Exchange, String> script) {
        try (SocketChannel ch = channel) {
            InputStream in = Channels.newInputStream(ch);
            OutputStream out = Channels.newOutputStream(ch);
            String line;
            while ((line = readLine(in)) != null) {
                String payload = null;
                StringBuilder plus = new StringBuilder();
                if (line.endsWith(" <<")) {
                    line = line.substring(0, line.length() - 3);
                    StringBuilder p = new StringBuilder();
                    String l;
                    while ((l = readLine(in)) != null && !l.isEmpty()) {
                        p.append(l).append('\n');
                        plus.append("+ ");
                    }
                    payload = p.toString();
                }
                received.add(line);
                if (line.equals("prompt")) {
                    out.write("\n> ".getBytes(StandardCharsets.UTF_8));
                    continue;
                }
                String answer = script.apply(new Exchange(line, payload));
                if (answer == null) {
                    out.write(plus.toString().getBytes(StandardCharsets.UTF_8));
                    break;
                }
                out.write((plus + answer + "\n\n> ").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // Closed by the test or by the client.
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.append((char) c);
        }
        return c == -1 && b.length() == 0 ? null : b.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
