package dev.hapcert.it;

import java.util.ArrayList;
import java.util.List;

/** Builds a command line from single words and groups of words such as {@link BundleFiles#options()}. */
final class Args {
    private final List<String> words = new ArrayList<>();

    private Args() {
    }

    static Args of(String... words) {
        return new Args().add(words);
    }

    Args add(String... more) {
        words.addAll(List.of(more));
        return this;
    }

    String[] toArray() {
        return words.toArray(String[]::new);
    }
}
