package dev.hapcert.it;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The real launcher, {@code bin/hapcert} running {@code target/hapcert.jar}, as an operator or certbot runs it.
 * Failsafe sets {@code hapcert.home} to the repository root; run from an IDE the working directory is used.
 */
final class Hapcert {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private Hapcert() {
    }

    static Path home() {
        return Path.of(System.getProperty("hapcert.home", System.getProperty("user.dir"))).toAbsolutePath();
    }

    static Path launcher() {
        Path launcher = home().resolve("bin/hapcert");
        Path jar = home().resolve("target/hapcert.jar");
        if (!Files.isExecutable(launcher) || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("integration tests need " + launcher + " and " + jar + ": run `mvn package` first");
        }
        return launcher;
    }

    /** Runs {@code hapcert ARGS} with the environment given on top of this JVM's. */
    static CommandRun run(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        return CommandRun.run(command, env, null, TIMEOUT);
    }

    static CommandRun run(String... args) {
        return run(Map.of(), args);
    }

    /** {@code hapcert deploy ARGS} as one shell command line, for certbot's {@code --deploy-hook} or a hook script. */
    static String deployHook(String... args) {
        return Stream.concat(Stream.of(launcher().toString(), "deploy"), Stream.of(args))
                .map(Hapcert::shellQuote).collect(Collectors.joining(" "));
    }

    /**
     * Removes the lock file a zero-config run ({@code --haproxy-config}) left for this HAProxy. Zero-config cannot
     * name a lock file, so it uses the documented default outside the test's temp dir; tests delete it afterwards.
     * It must exist: a run that took no lock would be a bug.
     */
    static void removeZeroConfigLock(HaproxyProcess haproxy) {
        Path lock = TargetConfig.defaultLockFile("haproxy", haproxy.adminSocket().toString());
        try {
            if (!Files.deleteIfExists(lock)) {
                throw new AssertionError("no lock file at " + lock + " after a zero-config run");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String shellQuote(String word) {
        return word.matches("[A-Za-z0-9_./:@=,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
