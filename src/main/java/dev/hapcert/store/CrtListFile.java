package dev.hapcert.store;

import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable crt-list file that keeps every line as written (comments, blank lines, options, SNI filters,
 * negative filters, odd spacing), so that hapcert's edits change only the lines it means to change.
 *
 * <p>Lines are read the way HAProxy 2.6 reads them: a line whose first character is {@code #} or that is empty
 * is skipped; words are separated by white space, and {@code [} and {@code ]} are separators too; there is no
 * quoting, so certificate paths cannot contain spaces. HAProxy rejects a file whose last line lacks its newline
 * (newer versions) and lines with two {@code [}: {@link #render()} always ends with a newline, and parsing refuses
 * what HAProxy would refuse.
 *
 * <p>Each certificate is kept on one line. {@link #withEntries} appends a certificate that is absent, leaves the
 * file unchanged when the same line is already there, and otherwise replaces the certificate's first line in
 * place (its position matters: the first certificate of a bind line is the default one) and drops any later
 * lines for the same certificate. Certificates are compared by path after HAProxy's crt-base rule and
 * {@code //} and {@code /./} normalization; see {@link #withCrtBase}.
 */
public final class CrtListFile {
    private final String origin;
    private final List<String> lines;
    private final List<CrtListLine> entries;
    private final Optional<String> crtBase;
    /** See {@link #firstByKey()}; null until first asked. */
    private volatile Map<String, CrtListLine> firstByKey;

    private CrtListFile(String origin, List<String> lines, Optional<String> crtBase) throws ConfigException {
        this.origin = origin;
        this.lines = List.copyOf(lines);
        this.crtBase = crtBase;
        List<CrtListLine> parsed = new ArrayList<>();
        for (int i = 0; i < this.lines.size(); i++) {
            parseLine(this.lines.get(i), i + 1, origin).ifPresent(parsed::add);
        }
        this.entries = List.copyOf(parsed);
    }

    /** Parses crt-list text; {@code origin} (usually the path) names it in messages. */
    public static CrtListFile parse(String text, String origin) throws ConfigException {
        Objects.requireNonNull(text, "text");
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        // A final newline ends the last line rather than starting an empty one.
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return new CrtListFile(origin, lines, Optional.empty());
    }

    /**
     * Reads a crt-list from disk. A missing file is an empty list that {@link AtomicFileWriter} will create;
     * a symbolic link is refused, because hapcert would replace the link with a file on its next write.
     */
    public static CrtListFile read(Path path) throws ConfigException {
        if (Files.isSymbolicLink(path)) {
            throw new ConfigException("refusing to use crt-list " + path + ": it is a symbolic link; hapcert"
                    + " replaces the file atomically and would replace the link (point HAProxy at the real file)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return new CrtListFile(path.toString(), List.of(), Optional.empty());
        } catch (IOException e) {
            throw new ConfigException("cannot read crt-list " + path + ": " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new ConfigException("crt-list " + path + " is not a regular file");
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return parse(text, path.toString());
        } catch (CharacterCodingException e) {
            throw new ConfigException("crt-list " + path + " is not UTF-8 text; hapcert will not rewrite it", e);
        }
    }

    /**
     * Formats a crt-list line: {@code <certificatePath> [<sslOptions>] [<filter> ...]}.
     *
     * @param certificatePath absolute, no white space or brackets (crt-list lines cannot quote)
     * @param sslOptions {@code ""} or one bracketed group, e.g. {@code [alpn h2,http/1.1]}
     * @param sniFilters SNI filters, each one word, {@code !} for negative ones
     */
    public static String formatLine(String certificatePath, String sslOptions, List<String> sniFilters) {
        if (certificatePath == null || !certificatePath.startsWith("/") || !isWord(certificatePath)) {
            throw new IllegalArgumentException("certificate path must be absolute, without spaces or brackets: "
                    + certificatePath);
        }
        StringBuilder line = new StringBuilder(certificatePath);
        String options = sslOptions == null ? "" : sslOptions.strip();
        if (!options.isEmpty()) {
            boolean oneGroup = options.startsWith("[") && options.endsWith("]") && options.indexOf('[', 1) < 0
                    && options.indexOf(']') == options.length() - 1 && !options.contains("\n")
                    && !options.contains("\r");
            if (!oneGroup) {
                throw new IllegalArgumentException("ssl options must be one [...] group on one line: " + sslOptions);
            }
            line.append(' ').append(options);
        }
        for (String filter : sniFilters) {
            if (filter == null || filter.isEmpty() || filter.equals("!") || !isWord(filter)) {
                throw new IllegalArgumentException("an SNI filter must be one word without brackets: " + filter);
            }
            line.append(' ').append(filter);
        }
        return line.toString();
    }

    /** The same file, matching relative entries against {@code crtBase} as HAProxy does ({@code crtBase/entry}). */
    public CrtListFile withCrtBase(String crtBase) throws ConfigException {
        return new CrtListFile(origin, lines, Optional.of(crtBase));
    }

    /** Certificate lines in file order. */
    public List<CrtListLine> entries() {
        return entries;
    }

    /**
     * Whether the crt-list file at {@code path} has a line for {@code certificatePath}, as
     * {@code read(path).find(certificatePath).isPresent()} answers, but without parsing every line when a line starts
     * with the path exactly as given (how hapcert writes its lines): a renewal in a crt-list of 10,000 certificates
     * then costs one scan of the bytes. Otherwise (no such line, or only relative or unnormalized forms) the file
     * is read and parsed in full, with all of {@link #read}'s checks.
     */
    public static boolean hasEntry(Path path, String certificatePath) throws ConfigException {
        if (!Files.isSymbolicLink(path) && Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            try {
                // Byte for byte: ISO-8859-1 maps each byte to one char, so UTF-8 names match as bytes.
                String text = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
                String wanted = new String(certificatePath.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
                for (int at = text.indexOf(wanted); at >= 0; at = text.indexOf(wanted, at + 1)) {
                    int after = at + wanted.length();
                    boolean lineStart = at == 0 || text.charAt(at - 1) == '\n';
                    boolean wordEnd = after == text.length() || Character.isWhitespace(text.charAt(after))
                            || text.charAt(after) == '[';
                    if (lineStart && wordEnd) {
                        return true;
                    }
                }
            } catch (IOException e) {
                // read() below reports it with the file's name.
            }
        }
        return read(path).find(certificatePath).isPresent();
    }

    /** The first line for {@code certificatePath}, compared after crt-base resolution and normalization. */
    public Optional<CrtListLine> find(String certificatePath) {
        return Optional.ofNullable(firstByKey().get(key(certificatePath)));
    }

    /**
     * Each certificate's first line by its normalized path, built once: a sync asks about every certificate it
     * deploys ({@link #find}, {@link #listed}), and a scan of every entry per question is quadratic.
     */
    private Map<String, CrtListLine> firstByKey() {
        Map<String, CrtListLine> index = firstByKey;
        if (index == null) {
            index = new HashMap<>();
            for (CrtListLine e : entries) {
                index.putIfAbsent(key(e.certificate()), e);
            }
            firstByKey = index;
        }
        return index;
    }

    /** Which of {@code certificatePaths} have a line, compared as {@link #find} does. */
    public Set<String> listed(Collection<String> certificatePaths) {
        Map<String, CrtListLine> index = firstByKey();
        Set<String> found = new HashSet<>();
        for (String path : certificatePaths) {
            if (index.containsKey(key(path))) {
                found.add(path);
            }
        }
        return found;
    }

    /**
     * This file with every line of {@code newLines} as the one line of its certificate, applied in order and the file
     * read once (a bulk sync or a reload of a large store applies tens of thousands of lines): lines for
     * certificates the file lacks are appended in the given order; a line for a certificate the file has replaces
     * its first line in place and drops any later ones; the same instance comes back when nothing changes.
     */
    public CrtListFile withEntries(List<String> newLines) throws ConfigException {
        Map<String, List<Integer>> positions = new HashMap<>();
        for (CrtListLine e : entries) {
            positions.computeIfAbsent(key(e.certificate()), k -> new ArrayList<>()).add(e.lineNumber() - 1);
        }
        List<String> out = new ArrayList<>(lines);
        Set<Integer> dropped = new HashSet<>();
        boolean changed = false;
        for (String line : newLines) {
            if (line.contains("\n") || line.contains("\r")) {
                throw new IllegalArgumentException("a crt-list entry is one line");
            }
            CrtListLine entry = parseLine(line, 0, "the new crt-list entry").orElseThrow(
                    () -> new IllegalArgumentException("not a crt-list entry (blank or comment): " + line));
            String key = key(entry.certificate());
            List<Integer> at = positions.get(key);
            if (at == null) {
                positions.put(key, List.of(out.size()));
                out.add(line);
                changed = true;
                continue;
            }
            if (!out.get(at.get(0)).equals(line)) {
                out.set(at.get(0), line);
                changed = true;
            }
            for (int i = 1; i < at.size(); i++) {
                changed |= dropped.add(at.get(i));
            }
        }
        if (!changed) {
            return this;
        }
        return new CrtListFile(origin, without(out, dropped), crtBase);
    }

    /**
     * This file without any line for any of {@code certificatePaths}, compared as {@link #find} does, read once for
     * all of them; the same instance if there is none.
     */
    public CrtListFile withoutEntries(Collection<String> certificatePaths) throws ConfigException {
        Set<String> unwanted = new HashSet<>();
        for (String path : certificatePaths) {
            unwanted.add(key(path));
        }
        Set<Integer> dropped = new HashSet<>();
        for (CrtListLine e : entries) {
            if (unwanted.contains(key(e.certificate()))) {
                dropped.add(e.lineNumber() - 1);
            }
        }
        if (dropped.isEmpty()) {
            return this;
        }
        return new CrtListFile(origin, without(lines, dropped), crtBase);
    }

    /** {@code lines} without those at the given (zero-based) positions. */
    private static List<String> without(List<String> lines, Set<Integer> dropped) {
        if (dropped.isEmpty()) {
            return lines;
        }
        List<String> kept = new ArrayList<>(lines.size() - dropped.size());
        for (int i = 0; i < lines.size(); i++) {
            if (!dropped.contains(i)) {
                kept.add(lines.get(i));
            }
        }
        return kept;
    }

    /** The file's text: every line as it was, each ended by a newline ({@code ""} when there are no lines). */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** Where this list came from, as given to {@link #parse} or {@link #read}. */
    public String origin() {
        return origin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CrtListFile other && lines.equals(other.lines);
    }

    @Override
    public int hashCode() {
        return lines.hashCode();
    }

    @Override
    public String toString() {
        return "CrtListFile[" + origin + ", " + entries.size() + " entries]";
    }

    // HAProxy names a relative entry crtBase + "/" + entry (not for '@' crt-store references, 3.0+).
    private String key(String certificate) {
        String resolved = certificate;
        if (!certificate.startsWith("/") && !certificate.startsWith("@") && crtBase.isPresent()) {
            resolved = crtBase.get() + "/" + certificate;
        }
        return resolved.startsWith("/") ? Path.of(resolved).normalize().toString() : resolved;
    }

    private static boolean isWord(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '[' || c == ']') {
                return false;
            }
        }
        return true;
    }

    /** Parses one line like HAProxy's crt-list reader; empty for blank and comment lines. */
    static Optional<CrtListLine> parseLine(String raw, int number, String origin) throws ConfigException {
        if (raw.isEmpty() || raw.charAt(0) == '#' || raw.charAt(0) == '\r') {
            return Optional.empty();
        }
        List<String> words = new ArrayList<>();
        int open = -1;
        int close = -1;
        StringBuilder word = null;
        for (int i = 0; i <= raw.length(); i++) {
            char c = i < raw.length() ? raw.charAt(i) : ' ';
            boolean separator = Character.isWhitespace(c) || c == '[' || c == ']';
            if (!separator) {
                if (word == null) {
                    word = new StringBuilder();
                }
                word.append(c);
                continue;
            }
            if (word != null) {
                words.add(word.toString());
                word = null;
            }
            if (c == '[') {
                if (open >= 0) {
                    throw lineError(origin, number, "too many '['");
                }
                if (words.isEmpty()) {
                    throw lineError(origin, number, "a line must start with a certificate, not '['");
                }
                open = words.size();
            } else if (c == ']') {
                if (close >= 0) {
                    throw lineError(origin, number, "too many ']'");
                }
                if (open < 0) {
                    throw lineError(origin, number, "']' without '['");
                }
                close = words.size();
            }
        }
        if (words.isEmpty()) {
            return Optional.empty();
        }
        if (open >= 0 && close < 0) {
            throw lineError(origin, number, "'[' without ']'");
        }
        if (open > 1) {
            throw lineError(origin, number, "SNI filters cannot come between the certificate and its [options]");
        }
        String options = open < 0 ? "" : "[" + String.join(" ", words.subList(open, close)) + "]";
        List<String> filters = words.subList(open < 0 ? 1 : close, words.size());
        return Optional.of(new CrtListLine(number, words.get(0), options, filters, raw));
    }

    private static ConfigException lineError(String origin, int number, String problem) {
        return new ConfigException("crt-list " + origin + (number > 0 ? " line " + number : "") + ": " + problem);
    }
}
