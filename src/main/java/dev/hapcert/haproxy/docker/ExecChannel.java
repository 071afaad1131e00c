package dev.hapcert.haproxy.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyUnreachableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs commands inside one container through the engine's exec API, with bytes on stdin and stdout and stderr
 * collected apart (the engine's 8-byte multiplexed framing). Payloads travel on stdin only: exec arguments are
 * visible to anyone running {@code ps} on the host.
 *
 * <p>The exec's stdin is held open until the command has exited. Closing it earlier lets Podman 4 tear down the
 * exec's output before the command has written it (seen: "read unixpacket ...: connection reset by peer"), so
 * a command given stdin must end by itself, as socat does once HAProxy closes after {@code quit}.
 */
public final class ExecChannel {
    private static final int EXIT_CODE_POLLS = 50;
    /** How a reset of the exec's stream reads in an {@link ExecResult}'s stderr, as Podman words it there itself. */
    static final String STREAM_RESET = "connection reset by peer";

    private final DockerEngine engine;
    private final ContainerInspection container;

    ExecChannel(DockerEngine engine, ContainerInspection container) {
        this.engine = engine;
        this.container = container;
    }

    public ContainerInspection container() {
        return container;
    }

    /**
     * Runs {@code argv} (no shell involved) with {@code stdin} (may be empty) and waits up to {@code timeout}.
     * An executable missing from the image gives exit code 127, as a shell would.
     */
    public ExecResult run(List<String> argv, byte[] stdin, Duration timeout) throws HapcertException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        boolean withStdin = stdin.length > 0;
        ExecCreateCmdResponse created;
        try {
            created = create(argv, withStdin);
        } catch (DockerException e) {
            // Docker answers 409 "is not running"; Podman 500 "can only create exec sessions on running containers".
            if (e instanceof ConflictException || String.valueOf(e.getMessage()).contains("running containers")) {
                throw new HaproxyUnreachableException("container " + container.describe() + " is not running:"
                        + " cannot run " + argv.get(0) + " in it", e);
            }
            if (missingExecutable(e.getMessage())) {
                return new ExecResult(127, new byte[0], DockerEngine.oneLine(e.getMessage()).getBytes());
            }
            throw engine.failure("run " + argv.get(0) + " in container " + container.describe(), e);
        } catch (RuntimeException e) {
            throw engine.failure("run " + argv.get(0) + " in container " + container.describe(), e);
        }
        Collector collector = new Collector();
        CountDownLatch exited = new CountDownLatch(1);
        try {
            var start = engine.client().execStartCmd(created.getId());
            if (withStdin) {
                start = start.withStdIn(new HeldOpenInput(stdin, exited));
            }
            start.exec(collector);
            boolean finished = collector.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            exited.countDown();
            if (!finished) {
                collector.close();
                throw new HaproxyUnreachableException(argv.get(0) + " in container " + container.describe()
                        + " did not finish within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaproxyUnreachableException("interrupted while running " + argv.get(0) + " in container "
                    + container.describe(), e);
        } catch (IOException e) {
            throw new HaproxyUnreachableException("lost the exec stream of container " + container.describe(), e);
        } catch (DockerException e) {
            if (missingExecutable(e.getMessage())) {
                return new ExecResult(127, new byte[0], DockerEngine.oneLine(e.getMessage()).getBytes());
            }
            throw engine.failure("run " + argv.get(0) + " in container " + container.describe(), e);
        } catch (RuntimeException e) {
            if (withStdin && streamReset(e)) {
                // Podman drops an exec's stream when its command exits with input it never read (HAProxy closed the
                // connection early), which it otherwise reports on stderr: the same verdict, with the exit code.
                exited.countDown();
                byte[] err = (collector.err.toString(StandardCharsets.UTF_8) + "\n" + STREAM_RESET)
                        .getBytes(StandardCharsets.UTF_8);
                return new ExecResult(exitCode(created.getId(), argv.get(0)), collector.out.toByteArray(), err);
            }
            throw engine.failure("run " + argv.get(0) + " in container " + container.describe(), e);
        } finally {
            exited.countDown();
        }
        if (collector.failure != null && missingExecutable(collector.failure.getMessage())) {
            return new ExecResult(127, collector.out.toByteArray(), collector.err.toByteArray());
        }
        return new ExecResult(exitCode(created.getId(), argv.get(0)), collector.out.toByteArray(),
                collector.err.toByteArray());
    }

    /**
     * Runs {@code argv} with what {@code peer} sends on its stdin and its stdout written back to {@code peer}, for as
     * long as both last: a connection carried through the container (see {@link ExecRelay}). Returns once the exec
     * has started. When the command exits (HAProxy closed, or the tool could not connect) {@code peer} is closed, so
     * its other end sees the end of the stream; when the other end closes first, the command's stdin ends.
     * {@code onEnd} runs once, when the exec is over, just before {@code peer} is closed. Standard error is not
     * carried: the Runtime API never writes it.
     */
    void carry(List<String> argv, SocketChannel peer, Runnable onEnd) {
        Runnable end = new Runnable() {
            private final AtomicBoolean done = new AtomicBoolean();

            @Override
            public void run() {
                if (done.compareAndSet(false, true)) {
                    // Told first: whoever reads the end of the stream on the other side may then ask how it ended.
                    onEnd.run();
                    try {
                        peer.close();
                    } catch (IOException ignored) {
                        // Closed is what is wanted.
                    }
                }
            }
        };
        try {
            ExecCreateCmdResponse created = create(argv, true);
            engine.client().execStartCmd(created.getId()).withStdIn(new PeerInput(peer))
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            if (frame.getStreamType() == StreamType.STDERR) {
                                return;
                            }
                            ByteBuffer out = ByteBuffer.wrap(frame.getPayload());
                            try {
                                while (out.hasRemaining()) {
                                    peer.write(out);
                                }
                            } catch (IOException gone) {
                                end.run();
                            }
                        }

                        @Override
                        public void onError(Throwable throwable) {
                            end.run();
                        }

                        @Override
                        public void onComplete() {
                            end.run();
                        }
                    });
        } catch (RuntimeException e) {
            // The engine refused the exec (a missing tool, a stopped container): the connection ends at once, and
            // whoever opened it learns why from a plain exec (ContainerRuntimeApi).
            end.run();
        }
    }

    /** Creates the exec of {@code argv}, its stdout and stderr attached, and its stdin when {@code withStdin}. */
    private ExecCreateCmdResponse create(List<String> argv, boolean withStdin) {
        return engine.client().execCreateCmd(container.id()).withAttachStdin(withStdin).withAttachStdout(true)
                .withAttachStderr(true).withCmd(argv.toArray(String[]::new)).exec();
    }

    /** The exit code, which the engine may publish a moment after the stream ends. */
    private int exitCode(String execId, String what) throws HapcertException {
        try {
            for (int i = 0; i < EXIT_CODE_POLLS; i++) {
                InspectExecResponse r = engine.client().inspectExecCmd(execId).exec();
                if (!Boolean.TRUE.equals(r.isRunning()) && r.getExitCodeLong() != null) {
                    return r.getExitCodeLong().intValue();
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            throw engine.failure("read the exit code of " + what + " in container " + container.describe(), e);
        }
        throw new HaproxyUnreachableException("the engine reported no exit code for " + what + " in container "
                + container.describe());
    }

    /** Whether the engine reset the exec's stream connection (a socket error under the client's failure). */
    private static boolean streamReset(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketException && String.valueOf(t.getMessage()).contains("reset")) {
                return true;
            }
        }
        return false;
    }

    private static boolean missingExecutable(String message) {
        return message != null && (message.contains("executable file not found") || message.contains("no such file"));
    }

    /** Collects stdout and stderr frames apart. */
    private static final class Collector extends ResultCallback.Adapter<Frame> {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        volatile Throwable failure;

        @Override
        public void onNext(Frame frame) {
            switch (frame.getStreamType()) {
                case STDERR -> err.writeBytes(frame.getPayload());
                default -> out.writeBytes(frame.getPayload());
            }
        }

        @Override
        public void onError(Throwable throwable) {
            failure = throwable;
            super.onError(throwable);
        }
    }

    /**
     * What the other end of a carried connection sends, as the exec's stdin. When that connection is closed under a
     * blocked read (the command exited first), the read ends the input instead of failing the engine client's thread.
     */
    private static final class PeerInput extends InputStream {
        private final InputStream in;

        PeerInput(SocketChannel peer) {
            this.in = Channels.newInputStream(peer);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            try {
                return in.read(b, off, len);
            } catch (IOException closed) {
                return -1;
            }
        }
    }

    /** Gives the payload, then blocks until the command has exited before reporting end of input. */
    private static final class HeldOpenInput extends InputStream {
        private final byte[] data;
        private final CountDownLatch exited;
        private int pos;

        HeldOpenInput(byte[] data, CountDownLatch exited) {
            this.data = data;
            this.exited = exited;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos < data.length) {
                int n = Math.min(len, data.length - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
            try {
                exited.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }
    }
}
