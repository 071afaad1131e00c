package dev.hapcert.haproxy;

import dev.hapcert.error.HaproxyUnreachableException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Runtime API transport for channels that carry one whole conversation at a time, such as an exec of socat inside
 * a container: each {@link #exchange(List)} opens a fresh connection through the {@link Carrier}, writes
 * {@code prompt}, the encoded commands and {@code quit} in one stream, and cuts what HAProxy answered into replies
 * with the same {@link ReplyFramer} as a socket connection. A batch therefore costs one carrier round trip however
 * many commands it holds, which is what makes a slow carrier (an exec costs 100-300 ms) usable: batch what can be
 * batched.
 *
 * <p>HAProxy's single certificate transaction outlives connections, so a {@code set ssl cert} in one exchange and
 * its {@code commit ssl cert} in the next work as on one connection.
 */
public final class BatchTransport implements RuntimeApiTransport {
    private static final byte[] PROMPT = "prompt\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUIT = "quit\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Moves one command stream to HAProxy over a new connection and returns everything HAProxy wrote until it closed
     * the connection (it does after {@code quit}). Implementations never show the stream: it holds private keys.
     */
    @FunctionalInterface
    public interface Carrier {
        byte[] carry(byte[] stream) throws HaproxyUnreachableException;
    }

    private final RuntimeApiAddress address;
    private final String description;
    private final Carrier carrier;
    private final Runnable onClose;
    private boolean closed;

    /**
     * @param address the Runtime API address as HAProxy knows it (inside the container)
     * @param description how it is reached, for messages, e.g. {@code unix@/run/haproxy.sock in container web (ab12)}
     * @param onClose releases what the carrier holds (e.g. the engine connection); may be a no-op
     */
    public BatchTransport(RuntimeApiAddress address, String description, Carrier carrier, Runnable onClose) {
        this.address = Objects.requireNonNull(address, "address");
        this.description = Objects.requireNonNull(description, "description");
        this.carrier = Objects.requireNonNull(carrier, "carrier");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
    }

    @Override
    public List<Reply> exchange(List<Command> commands) throws HaproxyUnreachableException {
        if (closed) {
            throw new HaproxyUnreachableException("the Runtime API transport to " + description + " is closed");
        }
        if (commands.isEmpty()) {
            return List.of();
        }
        return split(commands, carrier.carry(encode(commands)), description);
    }

    /** {@code prompt}, the commands with their payloads, {@code quit}: the whole stream of one exchange. */
    static byte[] encode(List<Command> commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PROMPT);
        commands.forEach(c -> out.writeBytes(c.encode()));
        out.writeBytes(QUIT);
        return out.toByteArray();
    }

    /**
     * Cuts HAProxy's answer to {@link #encode} into one reply per command.
     *
     * @throws HaproxyUnreachableException when the answer is not a Runtime API's or ends before the last reply
     */
    static List<Reply> split(List<Command> commands, byte[] answer, String where) throws HaproxyUnreachableException {
        ReplyFramer framer = new ReplyFramer();
        framer.feed(answer, 0, answer.length);
        String prompt = framer.next(false);
        if (prompt == null || !prompt.isEmpty()) {
            String seen = ReplyScrubber.oneLine(prompt != null ? prompt : framer.pendingText());
            throw new HaproxyUnreachableException(where + " did not answer 'prompt' like an HAProxy Runtime API"
                    + (seen.isEmpty() ? " (no answer at all)" : " (answer: " + seen + ")")
                    + "; check that the path is HAProxy's 'stats socket' (or master CLI) with level admin");
        }
        List<Reply> replies = new ArrayList<>(commands.size());
        for (Command c : commands) {
            String text = framer.next(c.hasPayload());
            if (text == null) {
                throw cutShort(c, replies.size(), commands.size(), framer, where);
            }
            replies.add(new Reply(c, text));
        }
        return replies;
    }

    private static HaproxyUnreachableException cutShort(Command current, int done, int total, ReplyFramer framer,
                                                        String where) {
        String after = " after " + done + " of " + total + " replies";
        if (current.hasPayload()) {
            return new HaproxyUnreachableException("HAProxy at " + where + " closed the connection while receiving the"
                    + " payload of '" + current + "'" + after + " (" + current.encodedLength() + " bytes with the"
                    + " command); HAProxy 2.6 and 3.0 do this when a command with its payload exceeds tune.bufsize"
                    + " (16384 bytes by default): raise tune.bufsize, or set payload-limit in hapcert.yml to HAProxy's real tune.bufsize so the key is sent apart");
        }
        String partial = ReplyScrubber.oneLine(framer.pendingText());
        return new HaproxyUnreachableException("HAProxy at " + where + " closed the connection while answering '"
                + current + "'" + after + (partial.isEmpty() ? "" : "; its last words: " + partial));
    }

    /** Each exchange is a whole connection through the carrier. */
    @Override
    public boolean streams() {
        return false;
    }

    @Override
    public RuntimeApiAddress address() {
        return address;
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * Every exchange is already a fresh connection, so the view shares this transport's carrier; closing the view
     * leaves this transport open.
     */
    @Override
    public RuntimeApiTransport reconnect() {
        return new BatchTransport(address, description, carrier, () -> { });
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return "BatchTransport[" + description + "]";
    }
}
