package dev.hapcert.safety;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged launcher ({@code bin/hapcert} with {@code target/hapcert.jar}) as a real process, under a given
 * umask, optionally as another user, with output captured to files. Used by the {@code *IT} tests, which need what
 * only a real process has: a crash that skips every finally block, a umask, another uid, true concurrency.
 */
final class Launcher {
    private Launcher() {
    }

    static Path home() {
        String home = System.getProperty("hapcert.home");
        return Path.of(home == null ? "." : home).toAbsolutePath().normalize();
    }

    /** A started hapcert; {@link #await()} waits for it and returns what it printed. */
    record Started(Process process, Path out, Path err, List<String> command) {
        Sandbox.Run await() {
            try {
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor();
                    throw new AssertionError("hapcert did not finish within 120 s: " + command);
                }
                Sandbox.Run r = new Sandbox.Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
                return r;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Starts {@code bin/hapcert args} with {@code umask} (octal, e.g. "077") and extra environment; {@code asUser}
     * (or null) runs it as that user through setpriv.
     */
    static Started start(List<String> args, Map<String, String> env, String umask, String asUser) {
        Path bin = home().resolve("bin/hapcert");
        assertThat(bin).as("the launcher").isExecutable();
        assertThat(home().resolve("target/hapcert.jar")).as("the packaged jar (mvn package)").exists();
        List<String> cmd = new ArrayList<>();
        if (asUser != null) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=" + asUser, "--regid=nogroup", "--clear-groups"));
        }
        cmd.addAll(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\"", bin.toString()));
        cmd.addAll(args);
        try {
            Path out = Files.createTempFile("hapcert-it", ".out");
            Path err = Files.createTempFile("hapcert-it", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().remove("HAPCERT_CONFIG");
            pb.environment().putAll(env);
            return new Started(pb.start(), out, err, cmd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Sandbox.Run run(List<String> args, Map<String, String> env, String umask) {
        return start(args, env, umask, null).await();
    }

    /** What a test does while hapcert is paused. */
    interface WhilePaused {
        void run() throws Exception;
    }

    /**
     * Waits (a minute at most) until {@code run} has reached the point it pauses at and created {@code flag}, does
     * {@code meanwhile}, lets hapcert go on (deletes {@code flag}) and returns its end. If anything fails meanwhile,
     * the paused hapcert is killed first: it must never be left holding a lock for the next case.
     */
    static Sandbox.Run whilePaused(Started run, Path flag, WhilePaused meanwhile) throws Exception {
        try {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!Files.exists(flag)) {
                assertThat(run.process().isAlive()).as("hapcert still running before the pause").isTrue();
                assertThat(System.currentTimeMillis()).as("time to reach the pause").isLessThan(deadline);
                Thread.sleep(20);
            }
            meanwhile.run();
        } catch (Exception | Error e) {
            run.process().destroyForcibly();
            throw e;
        } finally {
            Files.deleteIfExists(flag);
        }
        return run.await();
    }
}
