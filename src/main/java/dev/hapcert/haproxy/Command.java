package dev.hapcert.haproxy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One Runtime API command: its words and an optional payload. The command owns its wire framing, so no other code
 * concatenates command strings.
 *
 * <p>Framing (HAProxy's management guide, "payload"): a command with a payload ends its line with {@code " <<"}; the
 * payload lines follow, and the payload ends at the first empty line. Hence the payload is normalized here: {@code \r}
 * removed and empty lines dropped, because an empty line inside a PEM (between the blocks of a fullchain, or from CRLF
 * files) would silently cut it short and HAProxy would still answer with success.
 *
 * <p>Words are checked so that no name can smuggle a second command: HAProxy splits on whitespace, chains commands on
 * {@code ;}, treats {@code \} as an escape, a leading {@code @} as a master CLI route and {@code <<} as a payload
 * marker. {@link #toString()} never shows the payload, which usually holds a private key.
 */
public final class Command {
    private final List<String> words;
    private final String payload;

    private Command(List<String> words, String payload) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("a Runtime API command needs at least one word");
        }
        for (String w : words) {
            checkWord(w);
        }
        this.words = List.copyOf(words);
        this.payload = payload == null ? null : normalizePayload(payload);
        if (this.payload != null && this.payload.isEmpty()) {
            throw new IllegalArgumentException("the payload of '" + line() + "' is empty");
        }
    }

    /** A command without payload, e.g. {@code Command.of("show", "ssl", "cert")}. */
    public static Command of(String... words) {
        return new Command(List.of(words), null);
    }

    /** A command followed by a payload, e.g. {@code Command.withPayload(pem, "set", "ssl", "cert", name)}. */
    public static Command withPayload(String payload, String... words) {
        Objects.requireNonNull(payload, "payload");
        return new Command(List.of(words), payload);
    }

    /** The same command routed through a master CLI to one process ({@code @1}, {@code @!<pid>}). */
    Command routed(String route) {
        if (!route.matches("@(?:[0-9]+|![0-9]+)")) {
            throw new IllegalArgumentException("not a master CLI route: " + route);
        }
        String[] w = new String[words.size() + 1];
        w[0] = route;
        for (int i = 0; i < words.size(); i++) {
            w[i + 1] = words.get(i);
        }
        return new Command(List.of(w), payload);
    }

    private static void checkWord(String w) {
        Objects.requireNonNull(w, "command word");
        if (w.isEmpty()) {
            throw new IllegalArgumentException("an argument of a Runtime API command is empty");
        }
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c) || c == ';' || c == '\\') {
                throw new IllegalArgumentException("the argument '" + printable(w) + "' contains "
                        + describe(c) + ", which the Runtime API would treat as a separator or a second command;"
                        + " use names without spaces, control characters, ';' or '\\'");
            }
        }
        if (w.contains("<<")) {
            throw new IllegalArgumentException("the argument '" + printable(w) + "' contains '<<', the Runtime API payload marker");
        }
    }

    private static String describe(char c) {
        if (c == ';' || c == '\\') {
            return "'" + c + "'";
        }
        return String.format("the character U+%04X", (int) c);
    }

    private static String printable(String w) {
        StringBuilder b = new StringBuilder();
        w.codePoints().limit(120).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    /** {@code \r} removed, empty and blank lines dropped, no trailing newline. */
    static String normalizePayload(String payload) {
        StringBuilder b = new StringBuilder(payload.length());
        for (String line : payload.replace("\r", "").split("\n")) {
            if (!line.isBlank()) {
                if (b.length() > 0) {
                    b.append('\n');
                }
                b.append(line);
            }
        }
        return b.toString();
    }

    public List<String> words() {
        return words;
    }

    /** The command line without the payload marker. */
    public String line() {
        return String.join(" ", words);
    }

    public boolean hasPayload() {
        return payload != null;
    }

    /** The exact bytes written to the socket. */
    public byte[] encode() {
        StringBuilder b = new StringBuilder(line());
        if (payload != null) {
            b.append(" <<\n").append(payload).append("\n\n");
        } else {
            b.append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The encoded size, which in HAProxy 2.6 must fit in {@code tune.bufsize}. */
    public int encodedLength() {
        return encode().length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c && c.words.equals(words) && Objects.equals(c.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(words, payload);
    }

    /** The command line; a payload shows only as its size. */
    @Override
    public String toString() {
        if (payload == null) {
            return line();
        }
        return line() + " <<[payload " + payload.getBytes(StandardCharsets.UTF_8).length + " bytes]";
    }
}
