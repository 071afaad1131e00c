package dev.hapcert.haproxy.docker;

import java.nio.charset.StandardCharsets;

/**
 * What a command run in a container produced. The bytes may hold HAProxy replies that echo private keys, so
 * {@link #toString()} gives sizes only; callers scrub before showing any of it.
 */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {
    public ExecResult {
        stdout = stdout.clone();
        stderr = stderr.clone();
    }

    @Override
    public byte[] stdout() {
        return stdout.clone();
    }

    @Override
    public byte[] stderr() {
        return stderr.clone();
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ExecResult[exitCode=" + exitCode + ", stdout=" + stdout.length + " bytes, stderr="
                + stderr.length + " bytes]";
    }
}
