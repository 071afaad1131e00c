package dev.hapcert.config;

import dev.hapcert.error.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts haproxy.cfg lines into words following HAProxy 2.6's configuration manual, section 2.2: outside quotes a
 * backslash escapes the next character ({@code \ }, {@code \#}, {@code \\}, {@code \'}, {@code \"}, plus
 * {@code \n}, {@code \r}, {@code \t}, {@code \xNN}); double quotes protect spaces, {@code '} and {@code #} but
 * still honour escapes and {@code $VAR}; single quotes protect everything; an unprotected {@code #} starts a
 * comment. A line ends at its newline: haproxy.cfg has no line continuation.
 */
final class HaproxyCfgLexer {
    private HaproxyCfgLexer() {
    }

    static List<CfgLine> lex(String text, String file) throws ConfigException {
        List<CfgLine> lines = new ArrayList<>();
        String[] raw = text.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            lines.add(lexLine(raw[i], i + 1, file));
        }
        return lines;
    }

    static CfgLine lexLine(String raw, int number, String file) throws ConfigException {
        List<String> words = new ArrayList<>();
        List<Boolean> variables = new ArrayList<>();
        StringBuilder word = null;
        boolean variable = false;
        char quote = 0;
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
                continue;
            }
            if (quote == 0 && (c == ' ' || c == '\t')) {
                if (word != null) {
                    words.add(word.toString());
                    variables.add(variable);
                    word = null;
                    variable = false;
                }
                continue;
            }
            if (quote == 0 && c == '#') {
                break;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\\' && i + 1 < line.length()) {
                i = unescape(line, i, word);
            } else if (c == '"') {
                quote = quote == '"' ? 0 : '"';
            } else if (c == '\'' && quote == 0) {
                quote = '\'';
            } else {
                if (c == '$' && quote == '"') {
                    variable = true;
                }
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new ConfigException("unmatched " + (quote == '"' ? "double" : "single") + " quote on line " + number
                    + " of " + file);
        }
        if (word != null) {
            words.add(word.toString());
            variables.add(variable);
        }
        return new CfgLine(number, words, variables, raw);
    }

    /** Appends the character escaped at {@code line[i]} (a backslash); returns the index of its last character. */
    private static int unescape(String line, int i, StringBuilder word) {
        char n = line.charAt(i + 1);
        switch (n) {
            case 'n' -> word.append('\n');
            case 'r' -> word.append('\r');
            case 't' -> word.append('\t');
            case 'x' -> {
                if (i + 3 < line.length() && isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3))) {
                    word.append((char) Integer.parseInt(line.substring(i + 2, i + 4), 16));
                    return i + 3;
                }
                word.append('\\').append(n);
            }
            case ' ', '\t', '#', '\\', '\'', '"', '$' -> word.append(n);
            default -> word.append('\\').append(n); // not an escape: HAProxy keeps the backslash
        }
        return i + 1;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
