package dev.hapcert.store;

/**
 * A test-only fault switch that kills the JVM at a named point, as a SIGKILL would: no finally blocks, no
 * shutdown hooks, no flushing. Crash tests run hapcert in a child process with the switch set and then check
 * that what is left on disk and in HAProxy is valid and that a rerun converges.
 *
 * <p>Set the system property {@code hapcert.test.crashAt} or the environment variable
 * {@code HAPCERT_TEST_CRASH_AT} to one of these names; the process then exits with status 137 there:
 * <ul>
 * <li>{@code after-temp-write}: {@link AtomicFileWriter} wrote and fsynced the temp file, which still has the
 *     owner-only part of its mode; before its group, final mode and rename
 * <li>{@code after-rename}: {@link AtomicFileWriter} renamed the temp file over the target, before the
 *     directory fsync
 * <li>{@code after-set-ssl-cert}: the Runtime API transaction holds the new certificate, not committed
 * <li>{@code after-commit}: the certificate is committed, the crt-list line not yet added
 * <li>{@code before-crt-list-update}: certificates are deployed, the crt-list file not yet rewritten
 * <li>{@code after-target}: a target is done; the next one sharing its lock file not started, targets deployed
 *     at once anywhere in their own run
 * </ul>
 * Outside tests neither is set and {@link #reached} is a cheap no-op.
 *
 * <p>A second switch pauses instead of crashing, so a test can restart or reload HAProxy at a precise step:
 * with {@code HAPCERT_TEST_PAUSE_AT} naming a point and {@code HAPCERT_TEST_PAUSE_FILE} a path, the process creates
 * that file the first time it reaches the point and waits (at most a minute) until the test deletes it.
 */
public final class CrashPoint {
    public static final String PROPERTY = "hapcert.test.crashAt";
    public static final String ENVIRONMENT = "HAPCERT_TEST_CRASH_AT";
    /** Exit status of a process killed by SIGKILL (128 + 9). */
    public static final int EXIT_STATUS = 137;

    private CrashPoint() {
    }

    public static final String PAUSE_ENVIRONMENT = "HAPCERT_TEST_PAUSE_AT";
    public static final String PAUSE_FILE_ENVIRONMENT = "HAPCERT_TEST_PAUSE_FILE";
    private static final long MAX_PAUSE_MILLIS = 60_000;
    // Pauses once per process: the point may be passed again (restoring a file goes through the same writer).
    private static final java.util.concurrent.atomic.AtomicBoolean PAUSED = new java.util.concurrent.atomic.AtomicBoolean();

    /** Halts the JVM immediately if the crash switch names {@code name}; pauses if the pause switch does. */
    public static void reached(String name) {
        if (name.equals(System.getProperty(PROPERTY)) || name.equals(System.getenv(ENVIRONMENT))) {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
        String pauseFile = System.getenv(PAUSE_FILE_ENVIRONMENT);
        if (pauseFile != null && name.equals(System.getenv(PAUSE_ENVIRONMENT)) && PAUSED.compareAndSet(false, true)) {
            pause(java.nio.file.Path.of(pauseFile));
        }
    }

    private static void pause(java.nio.file.Path flag) {
        try {
            java.nio.file.Files.createFile(flag);
            long deadline = System.currentTimeMillis() + MAX_PAUSE_MILLIS;
            while (java.nio.file.Files.exists(flag) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("test pause switch: cannot create " + flag, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
