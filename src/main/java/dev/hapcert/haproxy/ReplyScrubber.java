package dev.hapcert.haproxy;

import java.util.regex.Pattern;

/**
 * Makes a Runtime API reply safe to put into an error message. HAProxy echoes parts of a payload in some error
 * replies, private key included, so every reply quoted to an operator goes through {@link #scrub(String)} first: PEM
 * blocks (even unterminated ones) and lines that look like base64 are replaced by a marker, control characters are
 * made visible, and the result is cut to a bounded length.
 */
public final class ReplyScrubber {
    static final String REDACTED = "[redacted]";
    private static final int MAX_CHARS = 600;
    /** A whole line of base64, as in a PEM body (64 characters a line) or a base64 OCSP response. */
    private static final Pattern BASE64_LINE = Pattern.compile("[A-Za-z0-9+/]{16,}={0,2}");
    /** A long base64 run inside a line; shorter runs are left alone so that paths and names stay readable. */
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{44,}={0,2}");

    private ReplyScrubber() {
    }

    public static String scrub(String reply) {
        if (reply == null || reply.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        boolean inPem = false;
        for (String line : reply.split("\n", -1)) {
            String t = line.strip();
            if (t.contains("-----BEGIN")) {
                inPem = true;
                appendLine(out, REDACTED);
            }
            if (inPem) {
                if (t.contains("-----END")) {
                    inPem = false;
                }
                continue;
            }
            if (t.startsWith("-----")) {
                continue;
            }
            if (BASE64_LINE.matcher(t).matches() && looksRandom(t)) {
                appendLine(out, REDACTED);
                continue;
            }
            appendLine(out, BASE64_RUN.matcher(line).replaceAll(m -> looksRandom(m.group()) ? REDACTED : m.group()));
        }
        String s = collapseRedactions(out.toString().strip());
        StringBuilder visible = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp == '\n' || !Character.isISOControl(cp)) {
                visible.appendCodePoint(cp);
            } else {
                visible.append(String.format("\\x%02X", cp));
            }
        });
        if (visible.length() > MAX_CHARS) {
            return visible.substring(0, MAX_CHARS) + "...";
        }
        return visible.toString();
    }

    /** The scrubbed reply on one line, for embedding in a sentence. */
    static String oneLine(String reply) {
        return scrub(reply).replace('\n', ' ').replaceAll(" {2,}", " ");
    }

    /**
     * Key material mixes upper case, lower case and digits; hex fingerprints and serials (upper case and digits
     * only) and plain words do not, so they stay visible.
     */
    private static boolean looksRandom(String s) {
        return s.chars().anyMatch(Character::isUpperCase) && s.chars().anyMatch(Character::isLowerCase)
                && s.chars().anyMatch(Character::isDigit);
    }

    private static void appendLine(StringBuilder out, String line) {
        out.append(line).append('\n');
    }

    private static String collapseRedactions(String s) {
        String marker = REDACTED + "\n" + REDACTED;
        while (s.contains(marker)) {
            s = s.replace(marker, REDACTED);
        }
        return s;
    }
}
