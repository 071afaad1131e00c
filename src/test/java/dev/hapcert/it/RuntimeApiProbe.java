package dev.hapcert.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a running HAProxy what it has loaded, independently of hapcert's own client: one command per connection on
 * the admin socket, HAProxy's non-interactive mode. Only {@code show} commands, whose replies carry no key material.
 */
final class RuntimeApiProbe {
    private static final Pattern SERIAL = Pattern.compile("(?m)^Serial: ([0-9A-F]+)$");

    private RuntimeApiProbe() {
    }

    static String command(Path socket, String command) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                reply.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return reply.toString(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("Runtime API command '" + command + "' on " + socket + " failed", e);
        }
    }

    /** The serial HAProxy reports for a loaded certificate (upper-case hex), or empty when it has none by that name. */
    static Optional<String> loadedSerial(Path socket, String certName) {
        Matcher m = SERIAL.matcher(command(socket, "show ssl cert " + certName));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The {@code show ssl cert} listing: loaded certificate names, and any open transaction under "# transaction". */
    static String certificates(Path socket) {
        return command(socket, "show ssl cert");
    }
}
