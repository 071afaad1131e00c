package dev.hapcert.haproxy;

import java.util.List;
import java.util.Objects;

/**
 * HAProxy's answer to one {@link Command}: the text between the command and the next prompt, without the {@code "+ "}
 * markers HAProxy prints while it reads a payload and without the empty line that ends every answer.
 *
 * <p>The text may echo a payload (HAProxy does so in some errors), so {@link #toString()} shows only a scrubbed
 * excerpt; use {@link #text()} for parsing, never for logging.
 */
public record Reply(Command command, String text) {
    /** What HAProxy 2.6 answers to certificate commands while a commit holds its certificate lock. */
    static final String LOCKED = "Operations on certificates are currently locked!";

    public Reply {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(text, "text");
    }

    /** The lines of the text; an empty text has no lines. */
    public List<String> lines() {
        return text.isEmpty() ? List.of() : List.of(text.split("\n", -1));
    }

    /** The last non-empty line, which holds the verdict of most commands ("Success!", "Failed!"). */
    public String lastLine() {
        // From the end: a listing of 10,000 certificates is 300 KB that need not be cut into lines for this.
        int end = text.length();
        while (end > 0) {
            int start = text.lastIndexOf('\n', end - 1) + 1;
            String line = text.substring(start, end);
            if (!line.isBlank()) {
                return line.strip();
            }
            end = start - 1;
        }
        return "";
    }

    /** HAProxy refused because another certificate operation (a commit) holds the lock; retrying later helps. */
    public boolean isLocked() {
        return text.contains(LOCKED);
    }

    /** The text made safe to show: PEM blocks and base64 lines removed, bounded length, on one line. */
    public String scrubbed() {
        return ReplyScrubber.oneLine(text);
    }

    @Override
    public String toString() {
        return command + " -> " + scrubbed();
    }
}
