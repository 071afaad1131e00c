package dev.hapcert.testkit;

import dev.hapcert.haproxy.CertificateLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Another process holding a {@link CertificateLock}, for tests of what must wait for one: a lock file held by this
 * JVM would only be another thread's. Started, it holds the lock until {@link #release()} or {@link #close()}.
 */
public final class LockHolder implements AutoCloseable {
    private final Process process;

    private LockHolder(Process process) {
        this.process = process;
    }

    /** Starts a JVM that takes the lock on {@code lockFile}; returns once it holds it. */
    public static LockHolder start(Path lockFile) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), lockFile.toString()).redirectErrorStream(true).start();
        LockHolder holder = new LockHolder(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"locked".equals(line)) {
            holder.close();
            throw new IllegalStateException("the lock holder did not take " + lockFile + ": " + line);
        }
        return holder;
    }

    /** Lets go of the lock and waits for the process to end. */
    public void release() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the lock holder did not end");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The holder's side: takes the lock, says so, holds it until stdin closes. */
    public static void main(String[] args) throws Exception {
        try (CertificateLock l = CertificateLock.acquire(Path.of(args[0]), Duration.ofSeconds(5))) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() != -1) {
                // Wait for the parent to close our stdin.
            }
        }
    }
}
