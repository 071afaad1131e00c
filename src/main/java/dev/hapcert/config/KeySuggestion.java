package dev.hapcert.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelt configuration keys and values. */
final class KeySuggestion {
    private KeySuggestion() {
    }

    /**
     * The known word closest to {@code typed}: the same once case, '-' and '_' are ignored ({@code crtlist},
     * {@code crt_list}, {@code CrtList} for {@code crt-list}), else within two edits; empty when nothing is close.
     */
    static Optional<String> nearest(String typed, Collection<String> known) {
        String squashed = squash(typed);
        for (String k : known) {
            if (squash(k).equals(squashed)) {
                return Optional.of(k);
            }
        }
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(typed.toLowerCase(Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    private static String squash(String s) {
        return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    // Levenshtein distance, two rows.
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
