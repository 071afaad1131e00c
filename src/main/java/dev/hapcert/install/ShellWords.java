package dev.hapcert.install;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** POSIX shell single-quoting for the hook scripts hapcert writes, and reading back the words it wrote. */
final class ShellWords {
    private ShellWords() {
    }

    /** {@code it's} becomes {@code 'it'\''s'}: inside single quotes nothing is special but the quote itself. */
    static String quote(String word) {
        if (word.indexOf('\0') >= 0 || word.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a hook argument cannot contain NUL or a newline");
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    static String join(List<String> words) {
        return words.stream().map(ShellWords::quote).collect(Collectors.joining(" "));
    }

    /** The first word of {@code text} if it is written the way {@link #quote} writes it. */
    static Optional<String> firstQuoted(String text) {
        StringBuilder word = new StringBuilder();
        int i = 0;
        if (text.isEmpty() || text.charAt(0) != '\'') {
            return Optional.empty();
        }
        while (i < text.length() && text.charAt(i) == '\'') {
            int end = text.indexOf('\'', i + 1);
            if (end < 0) {
                return Optional.empty();
            }
            word.append(text, i + 1, end);
            i = end + 1;
            if (text.startsWith("\\''", i)) {
                word.append('\'');
                i += 2;
            } else {
                break;
            }
        }
        return i == text.length() || text.charAt(i) == ' ' ? Optional.of(word.toString()) : Optional.empty();
    }
}
