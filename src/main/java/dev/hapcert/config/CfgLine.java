package dev.hapcert.config;

import java.util.List;

/**
 * One haproxy.cfg line cut into words the way HAProxy does (configuration manual, section 2.2 "Quoting and
 * escaping"): quotes and escapes removed, comment dropped.
 *
 * @param number 1-based line number
 * @param words the words; empty for blank and comment-only lines
 * @param variables for each word, whether it contains a {@code $VAR} inside double quotes, which HAProxy expands
 *     from its own environment (unknown to hapcert)
 * @param raw the line as written, for suggestions shown to the operator
 */
record CfgLine(int number, List<String> words, List<Boolean> variables, String raw) {
    CfgLine {
        words = List.copyOf(words);
        variables = List.copyOf(variables);
    }

    String word(int i) {
        return i < words.size() ? words.get(i) : "";
    }

    boolean hasVariable(int i) {
        return i < variables.size() && variables.get(i);
    }
}
