package dev.hapcert.cert;

import dev.hapcert.error.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Reads every PEM block from text the way operators and ACME clients really write it: CRLF or CR line ends,
 * blank lines between or inside blocks, no final newline, two blocks glued on one line
 * ({@code -----END CERTIFICATE----------BEGIN CERTIFICATE-----}), explanatory text around the blocks, and
 * whitespace inside the base64. Anything it cannot read is an {@link InvalidInputException} naming the origin
 * (usually the file path), the line, and what to do; no message ever quotes the content.
 */
public final class PemReader {
    private static final String DASHES = "-----";
    private static final int MAX_LABEL = 64;

    private PemReader() {
    }

    /** Reads {@code file}; each way the file can be missing or unreadable has its own message. */
    public static List<PemBlock> read(Path file) throws InvalidInputException {
        byte[] bytes = InputFiles.readFile(file, "file");
        return read(bytes, file.toString());
    }

    static List<PemBlock> read(byte[] bytes, String origin) throws InvalidInputException {
        if (looksLikeDer(bytes)) {
            throw derInstead(origin);
        }
        // Decoding with replacement keeps a stray non-UTF-8 byte in explanatory text from failing the read;
        // a replacement character inside a block is then reported as corrupt base64.
        String text = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes)).toString();
        return read(text, origin);
    }

    public static List<PemBlock> read(String text, String origin) throws InvalidInputException {
        String normal = normalise(text);
        if (normal.isBlank()) {
            throw new InvalidInputException(origin + " is empty: expected PEM text (-----BEGIN CERTIFICATE----- ...)");
        }
        List<PemBlock> blocks = new ArrayList<>();
        String openLabel = null;
        int openAt = -1;
        int bodyStart = -1;
        for (Marker m = Marker.find(normal, 0); m != null; m = Marker.find(normal, m.end())) {
            String label = m.label();
            if (m.begin()) {
                if (openLabel != null) {
                    throw new InvalidInputException(origin + ": the " + openLabel + " block starting at line "
                            + line(normal, openAt) + " has no END line before the next BEGIN at line "
                            + line(normal, m.start()) + "; the block is truncated: copy the file again from its source");
                }
                openLabel = label;
                openAt = m.start();
                bodyStart = m.end();
            } else if (openLabel == null) {
                throw new InvalidInputException(origin + ": -----END " + label + "----- at line " + line(normal, m.start())
                        + " has no matching BEGIN line; the start of the block is missing: copy the file again from its source");
            } else if (!openLabel.equals(label)) {
                throw new InvalidInputException(origin + ": the " + openLabel + " block starting at line "
                        + line(normal, openAt) + " ends with -----END " + label + "----- at line " + line(normal, m.start())
                        + "; BEGIN and END labels must match: the file was probably edited by hand");
            } else {
                blocks.add(new PemBlock(label, decodeBody(normal, bodyStart, m.start(), label, origin, openAt)));
                openLabel = null;
            }
        }
        if (openLabel != null) {
            throw new InvalidInputException(origin + ": the " + openLabel + " block starting at line " + line(normal, openAt)
                    + " has no -----END " + openLabel + "----- line; the file is truncated: copy it again from its source");
        }
        if (blocks.isEmpty()) {
            if (looksBinary(normal)) {
                throw derInstead(origin);
            }
            throw new InvalidInputException(origin + " contains no PEM block: expected lines such as"
                    + " -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----");
        }
        return List.copyOf(blocks);
    }

    /**
     * The block's base64, decoded. One pass over the body straight into bytes: a sync reads every bundle of a
     * store with this, and splitting, stripping and copying the lines cost it a third of its reading time.
     */
    private static byte[] decodeBody(String text, int from, int to, String label, String origin, int openAt)
            throws InvalidInputException {
        byte[] base64 = new byte[to - from];
        int n = 0;
        boolean inHeaders = true;
        for (int lineStart = from; lineStart < to; ) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0 || lineEnd > to) {
                lineEnd = to;
            }
            if (inHeaders) {
                // RFC 1421 headers (Proc-Type, DEK-Info) come before the base64 and contain a colon, which base64
                // never does.
                String s = text.substring(lineStart, lineEnd).strip();
                if (s.indexOf(':') > 0) {
                    if (s.regionMatches(true, 0, "Proc-Type:", 0, 10)
                            && s.toUpperCase(java.util.Locale.ROOT).contains("ENCRYPTED")) {
                        throw new InvalidInputException(origin + ": the " + label + " at line " + line(text, openAt)
                                + " is " + KeyReader.ENCRYPTED_HINT);
                    }
                    lineStart = lineEnd + 1;
                    continue;
                }
                inHeaders = s.isEmpty();
            }
            for (int i = lineStart; i < lineEnd; i++) {
                char c = text.charAt(i);
                if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
                        || c == '=') {
                    base64[n++] = (byte) c;
                } else if (!Character.isWhitespace(c)) {
                    throw corruptBase64(label, origin, line(text, openAt));
                }
            }
            lineStart = lineEnd + 1;
        }
        if (n == 0) {
            throw new InvalidInputException(origin + ": the " + label + " block at line " + line(text, openAt)
                    + " is empty: copy the file again from its source");
        }
        try {
            return Base64.getDecoder().decode(n == base64.length ? base64 : Arrays.copyOf(base64, n));
        } catch (IllegalArgumentException e) {
            throw corruptBase64(label, origin, line(text, openAt));
        }
    }

    /**
     * A BEGIN or END marker: {@code -----BEGIN LABEL-----}. The label is printable ASCII without dashes, 1 to 64
     * characters: it stops at the first dash, so glued markers split correctly, and it is safe to quote in messages.
     * Found by hand rather than by a regular expression: this runs first thing on the deploy hook's path, where the
     * regex engine's start-up and its per-character matching in a cold JVM cost milliseconds.
     */
    private record Marker(int start, int end, boolean begin, String label) {
        /** The first marker at or after {@code from}, or null. */
        static Marker find(String text, int from) {
            for (int at = text.indexOf(DASHES, from); at >= 0; at = text.indexOf(DASHES, at + 1)) {
                Marker m = at(text, at);
                if (m != null) {
                    return m;
                }
            }
            return null;
        }

        private static Marker at(String text, int at) {
            int p = at + DASHES.length();
            boolean begin;
            if (text.startsWith("BEGIN ", p)) {
                begin = true;
                p += 6;
            } else if (text.startsWith("END ", p)) {
                begin = false;
                p += 4;
            } else {
                return null;
            }
            int labelStart = p;
            while (p < text.length() && text.charAt(p) >= 0x20 && text.charAt(p) <= 0x7E && text.charAt(p) != '-') {
                p++;
            }
            int length = p - labelStart;
            if (length < 1 || length > MAX_LABEL || !text.startsWith(DASHES, p)) {
                return null;
            }
            return new Marker(at, p + DASHES.length(), begin, text.substring(labelStart, p));
        }
    }

    private static InvalidInputException corruptBase64(String label, String origin, int line) {
        // Deliberately without the decoder's message: it can quote characters of the body.
        return new InvalidInputException(origin + ": the " + label + " block at line " + line + " is not valid base64"
                + " (damaged by copy and paste or an editor?): copy the file again from its source");
    }

    private static InvalidInputException derInstead(String origin) {
        return new InvalidInputException(origin + " looks like binary DER, not PEM text: convert it with"
                + " `openssl x509 -inform der -in FILE -out FILE.pem` (for a key: `openssl pkey -inform der -in FILE -out FILE.pem`)");
    }

    /** A DER SEQUENCE (0x30) with a long-form length is how every binary certificate and key starts. */
    static boolean looksLikeDer(byte[] b) {
        return b.length > 2 && b[0] == 0x30 && (b[1] & 0xFF) >= 0x81 && (b[1] & 0xFF) <= 0x84;
    }

    private static boolean looksBinary(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // C0/C1 control characters and undecodable bytes never occur in PEM or in text written around it.
            if (c == '\uFFFD' || (c < 0x20 && c != '\n' && c != '\t' && c != '\f') || (c >= 0x7F && c <= 0x9F)) {
                return true;
            }
        }
        return false;
    }

    /** LF line ends only, no byte-order mark. */
    private static String normalise(String text) {
        String s = text.startsWith("\uFEFF") ? text.substring(1) : text;
        return s.replace("\r\n", "\n").replace('\r', '\n');
    }

    private static int line(String text, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
