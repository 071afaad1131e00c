package dev.hapcert.haproxy;

import dev.hapcert.error.HaproxyUnreachableException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The only place that touches a Runtime API socket. It connects (unix socket or TCP), switches the session to prompt
 * mode so that many commands share one connection, and exchanges commands for replies, pipelined: up to
 * {@link #MAX_IN_FLIGHT} commands are written before their replies are read, while reading and writing go on at the
 * same time so that neither side can block the other on full buffers.
 *
 * <p>Every wait is bounded by {@link RuntimeApiTimeouts}. Failures become {@link HaproxyUnreachableException}s whose
 * messages name the socket and the likely fix; see {@link ConnectFailures}. Not thread-safe: one caller at a time.
 */
public final class RuntimeApiConnection implements RuntimeApiTransport {
    /**
     * Commands written ahead of their replies. Bounded, so that HAProxy's answers never pile up unread beyond what the
     * socket buffers hold; large enough to keep HAProxy busy for tens of milliseconds (100 certificates of a bulk load)
     * while the writing thread waits for a core: with 50, a sync on two cores left HAProxy idle for about 0.2 s more
     * in all, while the sources were still being read.
     */
    public static final int MAX_IN_FLIGHT = 400;
    /**
     * Commands written with one gathering write(2). One write per command cost a sync of 10,000 certificates 40,000
     * system calls on each side of the socket; with 64, about 8,300 (no change in its time beyond the noise).
     */
    static final int COMMANDS_PER_WRITE = 64;

    private final RuntimeApiAddress address;
    private final RuntimeApiTimeouts timeouts;
    private final SocketChannel channel;
    private final Selector selector;
    private final ReplyFramer framer = new ReplyFramer();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    /** Written, not yet answered, oldest first: replies arrive in this order. */
    private final Deque<Command> inFlight = new ArrayDeque<>();
    private boolean broken;

    private RuntimeApiConnection(RuntimeApiAddress address, RuntimeApiTimeouts timeouts, SocketChannel channel,
                                 Selector selector) {
        this.address = address;
        this.timeouts = timeouts;
        this.channel = channel;
        this.selector = selector;
    }

    /** Connects and enters prompt mode. */
    /** A new connection to the same address. */
    @Override
    public RuntimeApiTransport reconnect() throws HaproxyUnreachableException {
        return open(address, timeouts);
    }

    public static RuntimeApiConnection open(RuntimeApiAddress address, RuntimeApiTimeouts timeouts)
            throws HaproxyUnreachableException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeouts, "timeouts");
        if (address.kind() == RuntimeApiAddress.Kind.UNIX) {
            ConnectFailures.checkSocketFile(address);
        }
        SocketChannel ch = null;
        Selector sel = null;
        try {
            SocketAddress target = address.kind() == RuntimeApiAddress.Kind.UNIX
                    ? UnixDomainSocketAddress.of(address.path())
                    : new InetSocketAddress(address.host(), address.port());
            ch = address.kind() == RuntimeApiAddress.Kind.UNIX
                    ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
            ch.configureBlocking(false);
            sel = Selector.open();
            if (!ch.connect(target)) {
                ch.register(sel, SelectionKey.OP_CONNECT);
                if (sel.select(timeouts.connect().toMillis()) == 0) {
                    throw new HaproxyUnreachableException("no connection to the Runtime API at " + address
                            + " within " + seconds(timeouts.connect()) + "; check that HAProxy runs and that"
                            + " nothing (a firewall, a full accept queue) holds the connection");
                }
                ch.finishConnect();
                sel.selectedKeys().clear();
            }
            RuntimeApiConnection c = new RuntimeApiConnection(address, timeouts, ch, sel);
            c.enterPromptMode();
            return c;
        } catch (UnresolvedAddressException e) {
            closeQuietly(ch, sel);
            throw new HaproxyUnreachableException("cannot resolve the host of the Runtime API address " + address, e);
        } catch (IOException e) {
            closeQuietly(ch, sel);
            throw ConnectFailures.map(address, e);
        } catch (HaproxyUnreachableException | RuntimeException e) {
            closeQuietly(ch, sel);
            throw e;
        }
    }

    private void enterPromptMode() throws HaproxyUnreachableException {
        // The answer to "prompt" is empty on a worker and on the master CLI; anything else is not a Runtime API.
        Reply r = exchange(List.of(Command.of("prompt"))).get(0);
        if (!r.text().isEmpty()) {
            broken = true;
            throw new HaproxyUnreachableException(address + " did not answer 'prompt' like an HAProxy Runtime API"
                    + " (answer: " + r.scrubbed() + "); check that it is a 'stats socket' or a master CLI socket");
        }
    }

    @Override
    public RuntimeApiAddress address() {
        return address;
    }

    /** One command, one reply. */
    @Override
    public Reply exchange(Command command) throws HaproxyUnreachableException {
        return exchange(List.of(command)).get(0);
    }

    /**
     * Sends the commands in order and returns their replies in the same order, pipelined on this connection.
     * If the connection fails midway the whole call fails; the commands before the failure may have taken effect.
     */
    @Override
    public List<Reply> exchange(List<Command> commands) throws HaproxyUnreachableException {
        checkIdle();
        ReplyList replies = new ReplyList(commands.size());
        pump(commands, replies, 0);
        return replies.replies;
    }

    /** Streams: each {@code send} writes its commands and returns; replies are read whenever the stream is pumped. */
    @Override
    public Pipeline openPipeline(Consumer<Reply> listener) {
        Objects.requireNonNull(listener, "listener");
        checkNothingInFlight();  // a broken connection fails the first send
        return new StreamPipeline(listener);
    }

    private final class StreamPipeline implements Pipeline, ReplySink {
        private final Consumer<Reply> listener;

        StreamPipeline(Consumer<Reply> listener) {
            this.listener = listener;
        }

        @Override
        public void send(List<Command> commands) throws HaproxyUnreachableException {
            pump(commands, this, Integer.MAX_VALUE);
        }

        @Override
        public void awaitUnanswered(int atMost) throws HaproxyUnreachableException {
            pump(List.of(), this, atMost);
        }

        @Override
        public void accept(Reply reply) {
            listener.accept(reply);
        }
    }

    /** Where {@link #pump} delivers replies. A named type rather than a lambda: the hook's path links none. */
    private interface ReplySink {
        void accept(Reply reply);
    }

    private static final class ReplyList implements ReplySink {
        final List<Reply> replies;

        ReplyList(int size) {
            replies = new ArrayList<>(size);
        }

        @Override
        public void accept(Reply reply) {
            replies.add(reply);
        }
    }

    private void checkIdle() throws HaproxyUnreachableException {
        checkNotBroken();
        checkNothingInFlight();
    }

    private void checkNotBroken() throws HaproxyUnreachableException {
        if (broken) {
            throw new HaproxyUnreachableException("the connection to the Runtime API at " + address
                    + " failed earlier and was closed; open a new one");
        }
    }

    private void checkNothingInFlight() {
        if (!inFlight.isEmpty()) {
            throw new IllegalStateException("a pipeline on " + address + " still awaits " + inFlight.size() + " replies");
        }
    }

    /**
     * Writes {@code commands} behind those already in flight, at most {@link #MAX_IN_FLIGHT} unanswered at a time,
     * reading replies whenever HAProxy has sent some, and hands each reply to {@code sink}. Returns once every command
     * is written and at most {@code unanswered} commands await their replies, after taking the replies already there.
     */
    private void pump(List<Command> commands, ReplySink sink, int unanswered) throws HaproxyUnreachableException {
        checkNotBroken();
        int nextToWrite = 0;
        // Commands counted in flight whose bytes are not all written yet: out[outFrom..].
        ByteBuffer[] out = null;
        int outFrom = 0;
        long lastProgress = System.nanoTime();
        try {
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            while (true) {
                // Write eagerly while the window allows, several commands per write(2); a full socket buffer leaves
                // the rest for when it drains.
                while (true) {
                    if (out == null) {
                        int room = Math.min(MAX_IN_FLIGHT - inFlight.size(), commands.size() - nextToWrite);
                        if (room <= 0) {
                            break;
                        }
                        out = new ByteBuffer[Math.min(room, COMMANDS_PER_WRITE)];
                        outFrom = 0;
                        for (int k = 0; k < out.length; k++) {
                            Command c = commands.get(nextToWrite++);
                            out[k] = ByteBuffer.wrap(c.encode());
                            inFlight.addLast(c);
                        }
                    }
                    if (channel.write(out, outFrom, out.length - outFrom) > 0) {
                        lastProgress = System.nanoTime();
                    }
                    while (outFrom < out.length && !out[outFrom].hasRemaining()) {
                        outFrom++;
                    }
                    if (outFrom < out.length) {
                        break;
                    }
                    out = null;
                }
                boolean allWritten = out == null && nextToWrite == commands.size();
                if (allWritten && inFlight.size() <= unanswered) {
                    if (!inFlight.isEmpty() && readAvailable() > 0) {
                        takeReplies(sink);
                    }
                    key.interestOps(0);
                    return;
                }
                key.interestOps(SelectionKey.OP_READ | (out != null ? SelectionKey.OP_WRITE : 0));
                long left = timeouts.idle().toMillis() - (System.nanoTime() - lastProgress) / 1_000_000;
                if (left <= 0) {
                    throw timeout(inFlight.peekFirst());
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int n = readAvailable();
                if (n != 0) {
                    lastProgress = System.nanoTime();
                }
                takeReplies(sink);
                if (n < 0 && (!inFlight.isEmpty() || nextToWrite < commands.size())) {
                    throw closedWhile(inFlight.isEmpty() ? commands.get(nextToWrite) : inFlight.peekFirst(), null);
                }
            }
        } catch (IOException e) {
            broken = true;
            // A write fails with "Broken pipe" when HAProxy dropped the connection; answers it sent before that
            // are still readable and tell which command it was working on.
            try {
                readAvailable();
            } catch (IOException ignored) {
                // Nothing more to read; attribute the failure with what was received.
            }
            takeReplies(sink);
            throw closedWhile(inFlight.peekFirst(), e);
        } catch (HaproxyUnreachableException | RuntimeException e) {
            broken = true;
            throw e;
        }
    }

    /**
     * Asks on a new connection and closes it as soon as {@code lastLine} has arrived: HAProxy stops composing the
     * rest when its next write fails. Listing 10,000 certificates only to learn that no transaction is open would cost
     * a deploy hook more than all its other Runtime API work.
     */
    @Override
    public Reply head(Command command, String lastLine) throws HaproxyUnreachableException {
        try (RuntimeApiConnection own = open(address, timeouts)) {
            return own.readHead(command, lastLine);
        }
    }

    private Reply readHead(Command command, String lastLine) throws HaproxyUnreachableException {
        ByteBuffer out = ByteBuffer.wrap(command.encode());
        long lastProgress = System.nanoTime();
        try {
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            while (true) {
                if (out.hasRemaining()) {
                    if (channel.write(out) > 0) {
                        lastProgress = System.nanoTime();
                    }
                    key.interestOps(SelectionKey.OP_READ | (out.hasRemaining() ? SelectionKey.OP_WRITE : 0));
                }
                String complete = framer.next(command.hasPayload());
                String text = complete != null ? complete + "\n" : framer.pendingText();
                int marker = text.startsWith(lastLine + "\n") ? 0 : text.indexOf("\n" + lastLine + "\n");
                if (marker >= 0) {
                    return new Reply(command, text.substring(0, marker == 0 ? lastLine.length()
                            : marker + 1 + lastLine.length()));
                }
                if (complete != null) {
                    return new Reply(command, complete);
                }
                long left = timeouts.idle().toMillis() - (System.nanoTime() - lastProgress) / 1_000_000;
                if (left <= 0) {
                    throw timeout(command);
                }
                selector.select(left);
                selector.selectedKeys().clear();
                int n = readAvailable();
                if (n > 0) {
                    lastProgress = System.nanoTime();
                } else if (n < 0) {
                    complete = framer.next(command.hasPayload());
                    if (complete != null) {
                        return new Reply(command, complete);
                    }
                    throw closedWhile(command, null);
                }
            }
        } catch (IOException e) {
            broken = true;
            throw closedWhile(command, e);
        }
    }

    private void takeReplies(ReplySink sink) throws HaproxyUnreachableException {
        String text;
        while (!inFlight.isEmpty() && (text = framer.next(inFlight.peekFirst().hasPayload())) != null) {
            if (text.startsWith(ReplyFramer.UNKNOWN_PROCESS)) {
                // HAProxy 3.0's master CLI answers an unknown @<n>/@!<pid> with this line and keeps the connection,
                // but leaves the commands after it unanswered: the connection is done.
                broken = true;
                throw noSuchProcess(inFlight.peekFirst(), ReplyScrubber.oneLine(text), null);
            }
            sink.accept(new Reply(inFlight.removeFirst(), text));
        }
    }

    /** Reads what is there without waiting: the byte count, 0 if nothing, -1 at end of stream. */
    private int readAvailable() throws IOException {
        int total = 0;
        while (true) {
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (n < 0) {
                return total > 0 ? total : -1;
            }
            if (n == 0) {
                return total;
            }
            total += n;
            framer.feed(readBuffer.array(), 0, n);
            if (readBuffer.hasRemaining()) {
                // A short read emptied the socket: asking again would only return 0 (a system call per reply).
                return total;
            }
        }
    }

    private HaproxyUnreachableException timeout(Command current) {
        String what = current == null ? "" : " to '" + current + "'";
        return new HaproxyUnreachableException("no answer" + what + " from the Runtime API at " + address + " within "
                + seconds(timeouts.idle()) + "; HAProxy may be overloaded or stuck");
    }

    private HaproxyUnreachableException noSuchProcess(Command current, String answer, IOException cause) {
        return new HaproxyUnreachableException("the master CLI at " + address + " has no process for '"
                + current + "' (" + answer + "); the worker may have been replaced by a reload: run 'show proc'"
                + " and address a current worker", cause);
    }

    private HaproxyUnreachableException closedWhile(Command current, IOException cause) {
        if (current != null && current.hasPayload()) {
            String subject = current.words().size() >= 4 && current.line().contains("ssl cert")
                    ? "the certificate for " + current.words().get(current.words().size() - 1)
                    : "the payload of '" + current + "'";
            return new HaproxyUnreachableException("HAProxy closed the connection at " + address
                    + " while receiving " + subject + " (" + current.encodedLength() + " bytes with the command);"
                    + " HAProxy 2.6 and 3.0 do this when a command with its payload exceeds tune.bufsize (16384 bytes"
                    + " by default): send the certificates and the key separately (set ssl cert NAME, then NAME.key)"
                    + " or raise tune.bufsize", cause);
        }
        String partial = ReplyScrubber.oneLine(framer.pendingText());
        if (partial.startsWith(ReplyFramer.UNKNOWN_PROCESS)) {
            // 2.6.12 master CLI: an unknown @<n>/@!<pid> gets this line and the connection is closed.
            return noSuchProcess(current, partial, cause);
        }
        String what = current == null ? "" : " while answering '" + current + "'";
        return new HaproxyUnreachableException("HAProxy closed the Runtime API connection at " + address + what
                + (partial.isEmpty() ? "" : "; its last words: " + partial), cause);
    }

    private static String seconds(java.time.Duration d) {
        return d.toMillis() < 1000 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }

    @Override
    public void close() {
        broken = true;
        closeQuietly(channel, selector);
    }

    private static void closeQuietly(SocketChannel ch, Selector sel) {
        try {
            if (sel != null) {
                sel.close();
            }
        } catch (IOException ignored) {
            // Closing a selector has no failure an operator could act on.
        }
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // Same for the channel: it is gone either way.
        }
    }
}
