package dev.hapcert.haproxy;

import dev.hapcert.error.HaproxyUnreachableException;
import java.util.List;

/**
 * How commands reach one HAProxy's Runtime API and replies come back. {@link RuntimeApiClient} speaks the protocol
 * (typed commands, success markers, retries) over any transport; a transport only moves commands and replies.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #exchange(List)} returns exactly one reply per command, in order, each framed as in prompt mode
 *       ({@link Reply#text()} without the prompt, the {@code "+ "} payload markers or the closing empty line);</li>
 *   <li>if the transport fails midway, the whole call throws {@link HaproxyUnreachableException}; commands before the
 *       failure may have taken effect, so callers treat the state as unknown and observe it again;</li>
 *   <li>no message and no {@code toString} carries a payload or an unscrubbed reply;</li>
 *   <li>one caller at a time; {@link #close()} is idempotent.</li>
 * </ul>
 * Implementations: {@link RuntimeApiConnection} (a socket, one connection for many exchanges) and
 * {@link BatchTransport} (one fresh connection per exchange, e.g. through an exec in a container).
 */
public interface RuntimeApiTransport extends AutoCloseable {
    /** One command, one reply. */
    default Reply exchange(Command command) throws HaproxyUnreachableException {
        return exchange(List.of(command)).get(0);
    }

    /** The commands in order, one reply each; see the contract above. */
    List<Reply> exchange(List<Command> commands) throws HaproxyUnreachableException;

    /**
     * The start of the reply to {@code command}: its text up to and including the first line equal to
     * {@code lastLine}, or the whole reply when no line is. For the head of a listing whose rest does not matter
     * ({@code show ssl cert} lists the open transaction before thousands of certificates). A transport that can stop
     * reading early asks on a connection of its own and drops it there; this default reads the whole reply.
     */
    default Reply head(Command command, String lastLine) throws HaproxyUnreachableException {
        return exchange(command);
    }

    /**
     * The Runtime API address as HAProxy knows it. For a socket reached through a container this is the path inside
     * the container; {@link RuntimeApiAddress#masterCli()} decides whether commands are routed to a worker.
     */
    RuntimeApiAddress address();

    /** How the Runtime API is reached, for messages: the address, and the container and tool when there is one. */
    default String description() {
        return address().toString();
    }

    /**
     * A transport that sees HAProxy as it is now, for checks after a change: a connection opened before a reload stays
     * with the old worker. Whoever receives it closes it.
     */
    RuntimeApiTransport reconnect() throws HaproxyUnreachableException;

    @Override
    void close();
}
