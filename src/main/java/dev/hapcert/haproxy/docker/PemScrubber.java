package dev.hapcert.haproxy.docker;

import java.util.regex.Pattern;

/**
 * Removes PEM blocks (and what may be left of a cut one) from text HAProxy or a command printed, so that no
 * key material reaches an error message: HAProxy echoes payloads in some replies and {@code haproxy -c} may
 * quote file content.
 */
final class PemScrubber {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|\\z)", Pattern.DOTALL);
    private static final Pattern BASE64_LINE = Pattern.compile("(?m)^[A-Za-z0-9+/=]{40,}$");

    private PemScrubber() {
    }

    static String scrub(String text) {
        String noBlocks = BLOCK.matcher(text).replaceAll("[PEM redacted]");
        return BASE64_LINE.matcher(noBlocks).replaceAll("[base64 redacted]");
    }
}
