package dev.hapcert.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * certbot's version, which decides whether its directory deploy hooks ({@code renewal-hooks/deploy/}) run when a
 * certificate is first issued: before 5.3.0 they ran on renewals only, so a new certificate reached HAProxy at its
 * first renewal, weeks later, unless something else deployed it.
 */
public record CertbotVersion(int major, int minor, int patch) implements Comparable<CertbotVersion> {
    /** The first certbot that runs directory deploy hooks for a first {@code certonly} too. */
    public static final CertbotVersion HOOKS_ON_FIRST_ISSUANCE = new CertbotVersion(5, 3, 0);

    private static final Pattern VERSION = Pattern.compile("(?:certbot\\s+)?(\\d{1,4})\\.(\\d{1,4})(?:\\.(\\d{1,4}))?.*");

    public CertbotVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version numbers are never negative");
        }
    }

    /** Parses {@code certbot --version} output, e.g. {@code certbot 2.1.0}. */
    public static Optional<CertbotVersion> parse(String output) {
        if (output == null) {
            return Optional.empty();
        }
        for (String line : output.strip().split("\n")) {
            Matcher m = VERSION.matcher(line.strip());
            if (m.matches()) {
                return Optional.of(new CertbotVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code <executable> --version}. Empty when certbot is not installed (or answers nothing recognisable within
     * the timeout): callers then have nothing to warn about.
     */
    public static Optional<CertbotVersion> detect(String executable, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(executable, "--version").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException notInstalled) {
            return Optional.empty();
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return Optional.empty();
            }
            // A version line is short; bound what is read in case the program is something else entirely.
            byte[] out = p.getInputStream().readNBytes(4096);
            return p.exitValue() == 0 ? parse(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return Optional.empty();
        }
    }

    public boolean runsDirectoryHooksOnFirstIssuance() {
        return compareTo(HOOKS_ON_FIRST_ISSUANCE) >= 0;
    }

    @Override
    public int compareTo(CertbotVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c == 0 ? Integer.compare(patch, o.patch) : c;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
