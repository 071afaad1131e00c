package dev.hapcert.haproxy.docker;

import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.Reply;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiConnection;
import dev.hapcert.haproxy.RuntimeApiTimeouts;
import dev.hapcert.haproxy.RuntimeApiTransport;
import java.util.List;
import java.util.function.Consumer;

/**
 * A connection to HAProxy's Runtime API in a container through an {@link ExecRelay}: a socket connection like any
 * other (streamed, pipelined), named as HAProxy knows its socket, whose messages name the container instead of the
 * relay's private socket. A new connection ({@link #reconnect}) is a new exec. Closing it leaves the relay open.
 */
final class RelayedTransport implements RuntimeApiTransport {
    private final RuntimeApiConnection connection;
    private final RuntimeApiAddress relay;
    private final RuntimeApiAddress inside;
    private final String description;
    private final RuntimeApiTimeouts timeouts;

    private RelayedTransport(RuntimeApiConnection connection, RuntimeApiAddress relay, RuntimeApiAddress inside,
                             String description, RuntimeApiTimeouts timeouts) {
        this.connection = connection;
        this.relay = relay;
        this.inside = inside;
        this.description = description;
        this.timeouts = timeouts;
    }

    /** Connects through {@code relay} and enters prompt mode, as {@link RuntimeApiConnection#open} does. */
    static RelayedTransport open(ExecRelay relay, RuntimeApiAddress inside, String description,
                                 RuntimeApiTimeouts timeouts) throws HaproxyUnreachableException {
        return open(RuntimeApiAddress.unix(relay.socket()), inside, description, timeouts);
    }

    private static RelayedTransport open(RuntimeApiAddress relay, RuntimeApiAddress inside, String description,
                                         RuntimeApiTimeouts timeouts) throws HaproxyUnreachableException {
        try {
            return new RelayedTransport(RuntimeApiConnection.open(relay, timeouts), relay, inside, description,
                    timeouts);
        } catch (HaproxyUnreachableException e) {
            throw renamed(e, relay, description);
        }
    }

    @Override
    public List<Reply> exchange(List<Command> commands) throws HaproxyUnreachableException {
        try {
            return connection.exchange(commands);
        } catch (HaproxyUnreachableException e) {
            throw renamed(e, relay, description);
        }
    }

    @Override
    public Pipeline openPipeline(Consumer<Reply> listener) {
        Pipeline pipeline = connection.openPipeline(listener);
        return new Pipeline() {
            @Override
            public void send(List<Command> commands) throws HaproxyUnreachableException {
                try {
                    pipeline.send(commands);
                } catch (HaproxyUnreachableException e) {
                    throw renamed(e, relay, description);
                }
            }

            @Override
            public void awaitUnanswered(int atMost) throws HaproxyUnreachableException {
                try {
                    pipeline.awaitUnanswered(atMost);
                } catch (HaproxyUnreachableException e) {
                    throw renamed(e, relay, description);
                }
            }
        };
    }

    @Override
    public Reply head(Command command, String lastLine) throws HaproxyUnreachableException {
        try {
            return connection.head(command, lastLine);
        } catch (HaproxyUnreachableException e) {
            throw renamed(e, relay, description);
        }
    }

    @Override
    public RuntimeApiAddress address() {
        return inside;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public RuntimeApiTransport reconnect() throws HaproxyUnreachableException {
        return open(relay, inside, description, timeouts);
    }

    @Override
    public void close() {
        connection.close();
    }

    /** The same failure, naming the container's socket where it named the relay's. */
    private static HaproxyUnreachableException renamed(HaproxyUnreachableException e, RuntimeApiAddress relay,
                                                       String description) {
        String message = String.valueOf(e.getMessage());
        String path = relay.path().toString();
        if (!message.contains(path)) {
            return e;
        }
        return new HaproxyUnreachableException(message.replace(relay.toString(), description)
                .replace(path, description), e);
    }

    @Override
    public String toString() {
        return "RelayedTransport[" + description + "]";
    }
}
