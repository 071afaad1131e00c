package dev.hapcert.haproxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts the byte stream of a prompt-mode Runtime API connection into replies. Pure: no I/O, so it is tested alone.
 *
 * <p>In prompt mode HAProxy 2.6 ends every answer with an empty line and then prints its prompt before reading the
 * next command. Seen on 2.6.12 (a worker's stats socket, after {@code prompt}, {@code new ssl cert /x/b.pem}):
 * <pre>
 * "\n> New empty certificate store '/x/b.pem'!\n\n> "
 * </pre>
 * and on a master CLI, where the prompt names the process and the answer to {@code prompt} is empty:
 * <pre>
 * "master> #&lt;PID&gt;          &lt;type&gt; ...\n# programs\n\nmaster> "
 * </pre>
 * A reply therefore ends at a prompt that starts the reply or follows an empty line. The management guide says no
 * command prints an empty line, but 2.6.12 does ({@code del ssl cert} of a used certificate answers
 * {@code "Can't remove the certificate: certificate '/x' in use, can't be deleted!\n\n\n> "}), so only a prompt, never
 * an empty line alone, ends a reply. While reading a payload HAProxy prints {@code "+ "} per line before the answer;
 * {@link #next(boolean)} removes those.
 */
final class ReplyFramer {
    private byte[] buf = new byte[8192];
    private int start;
    private int end;
    /**
     * Where the search for the end of the current reply resumes: positions before it are known not to start a
     * prompt, so a large reply arriving in many reads is scanned once rather than once per read.
     */
    private int scanned;

    /** Appends bytes read from the socket. */
    void feed(byte[] data, int offset, int length) {
        if (end + length > buf.length) {
            compact();
            if (end + length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + length));
            }
        }
        System.arraycopy(data, offset, buf, end, length);
        end += length;
    }

    /** Bytes received that are not yet part of a complete reply. */
    int pending() {
        return end - start;
    }

    /** What was received of an incomplete reply, decoded; for error messages (scrub before showing). */
    String pendingText() {
        return new String(buf, start, end - start, StandardCharsets.UTF_8);
    }

    /**
     * The next complete reply's text, or null when more bytes are needed.
     *
     * @param hadPayload strip the {@code "+ "} payload prompts at the start
     */
    String next(boolean hadPayload) {
        int p = Math.max(start, scanned);
        while (p < end) {
            boolean candidate = p == start
                    || buf[p - 1] == '\n' && (p - 1 == start || buf[p - 2] == '\n' || unknownProcessLine(p - 1));
            if (candidate) {
                int promptEnd = matchPrompt(p);
                if (promptEnd == NEED_MORE) {
                    scanned = p;
                    return null;
                }
                if (promptEnd > 0) {
                    String text = new String(buf, start, p - start, StandardCharsets.UTF_8);
                    start = promptEnd;
                    scanned = start;
                    return clean(text, hadPayload);
                }
            }
            // Only a position right after a line end can start a prompt: skip to the next one. This loop is all a
            // listing of 10,000 certificates costs, and runs before the JIT compiles it, so it does one test a byte.
            int i = p;
            while (i < end && buf[i] != '\n') {
                i++;
            }
            p = i + 1;
        }
        // The last byte may end the line that a prompt follows: look at it again next time.
        scanned = Math.max(start, end - 1);
        return null;
    }

    private static final int NEED_MORE = -2;

    /** How a master CLI answers a command for a process it does not have ({@code @!<pid>}, {@code @<n>}). */
    static final String UNKNOWN_PROCESS = "Can't find the target PID";
    private static final byte[] UNKNOWN_PROCESS_BYTES = UNKNOWN_PROCESS.getBytes(StandardCharsets.US_ASCII);

    /**
     * Whether the reply so far is the one line a master CLI sends for an unknown process, ending at {@code lineEnd}:
     * HAProxy 3.0 prints its prompt right after it, with no empty line between (2.6.12 closed the connection).
     */
    private boolean unknownProcessLine(int lineEnd) {
        if (lineEnd - start < UNKNOWN_PROCESS_BYTES.length) {
            return false;
        }
        for (int k = 0; k < UNKNOWN_PROCESS_BYTES.length; k++) {
            if (buf[start + k] != UNKNOWN_PROCESS_BYTES[k]) {
                return false;
            }
        }
        for (int k = start; k < lineEnd; k++) {
            if (buf[k] == '\n') {
                return false;
            }
        }
        return true;
    }

    /**
     * If a prompt starts at {@code p}, the index after it; {@link #NEED_MORE} if the bytes so far could still be
     * one; -1 if not. Prompts: {@code "> "} (worker), {@code "master> "}, {@code "master[ReloadFailed]> "},
     * {@code "master(xed)> "}, {@code "1234> "} (a master CLI switched to a process).
     */
    private int matchPrompt(int p) {
        int i = p;
        // Optional name: letters and digits, then optional [..] and (..) groups.
        while (i < end && isNameChar(buf[i])) {
            i++;
        }
        for (char[] group : new char[][] {{'[', ']'}, {'(', ')'}}) {
            if (i < end && buf[i] == group[0]) {
                i++;
                while (i < end && buf[i] != group[1] && buf[i] != '\n') {
                    i++;
                }
                if (i >= end) {
                    return NEED_MORE;
                }
                if (buf[i] != group[1]) {
                    return -1;
                }
                i++;
            }
        }
        if (i >= end) {
            return NEED_MORE;
        }
        if (buf[i] != '>') {
            return -1;
        }
        if (i + 1 >= end) {
            return NEED_MORE;
        }
        return buf[i + 1] == ' ' ? i + 2 : -1;
    }

    private static boolean isNameChar(byte b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9';
    }

    private static String clean(String text, boolean hadPayload) {
        String t = text;
        if (hadPayload) {
            while (t.startsWith("+ ")) {
                t = t.substring(2);
            }
        }
        // Drop the empty line that ends every answer (and the extra ones some 2.6 errors add).
        int e = t.length();
        while (e > 0 && t.charAt(e - 1) == '\n') {
            e--;
        }
        return t.substring(0, e);
    }

    private void compact() {
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
        scanned -= Math.min(scanned, start);
        start = 0;
    }
}
