package dev.hapcert.haproxy;

import dev.hapcert.error.HaproxyUnreachableException;
import java.util.List;
import java.util.function.Consumer;

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
     * Commands sent over several calls as one stream: {@link Pipeline#send} returns once its commands are on their
     * way, while HAProxy still works on them, so that the caller prepares the next ones meanwhile and HAProxy is not
     * left idle between them. Every reply reaches {@code listener} in command order, on the caller's thread, during a
     * later {@code send}, in {@link Pipeline#awaitUnanswered} or in {@link Pipeline#finish}. Until {@code finish} has returned nothing else may use the
     * transport. This default exchanges each {@code send}'s commands at once (right for a transport whose exchange is a
     * whole connection, such as {@link BatchTransport}); a socket connection streams them.
     */
    default Pipeline openPipeline(Consumer<Reply> listener) {
        RuntimeApiTransport transport = this;
        return new Pipeline() {
            @Override
            public void send(List<Command> commands) throws HaproxyUnreachableException {
                for (Reply r : transport.exchange(commands)) {
                    listener.accept(r);
                }
            }

            @Override
            public void awaitUnanswered(int atMost) {
                // Every send was answered in full.
            }
        };
    }

    /**
     * Whether a pipeline's commands go out on a live connection as they are sent (a socket), rather than each send
     * being a round trip of its own (an exec in a container costs 100-300 ms whatever it carries): callers of a
     * transport that does not stream send fewer, larger batches.
     */
    default boolean streams() {
        return true;
    }

    /**
     * See {@link #openPipeline}. If the transport fails, the call throws and the stream is over: commands written
     * before may have taken effect, whether or not their replies reached the listener.
     */
    interface Pipeline {
        /** Queues the commands behind the earlier ones and returns once they are written; earlier replies may arrive. */
        void send(List<Command> commands) throws HaproxyUnreachableException;

        /** Reads replies until at most {@code atMost} of the commands sent still await theirs. */
        void awaitUnanswered(int atMost) throws HaproxyUnreachableException;

        /** Waits until every command sent has its reply. */
        default void finish() throws HaproxyUnreachableException {
            awaitUnanswered(0);
        }
    }

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
