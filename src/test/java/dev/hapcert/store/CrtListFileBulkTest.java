package dev.hapcert.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The bulk forms: {@link CrtListFile#withEntries} of many lines equals it applied line by line; {@link CrtListFile#listed}. */
class CrtListFileBulkTest {
    private static final String FILE = "# kept\n/c/a.pem [alpn h2] a.test\n\n/c/b.pem\n/c/./d.pem\n";

    @Test
    void withEntriesIsWithEntryAppliedInOrder() throws Exception {
        CrtListFile file = CrtListFile.parse(FILE, "test");
        List<String> lines = List.of("/c/x.pem", "/c/b.pem [alpn h2]", "/c/y.pem", "/c/x.pem", "/c/a.pem [alpn h2] a.test");
        CrtListFile oneByOne = file;
        for (String line : lines) {
            oneByOne = oneByOne.withEntries(List.of(line));
        }
        CrtListFile bulk = file.withEntries(lines);
        assertThat(bulk.render()).isEqualTo(oneByOne.render())
                .isEqualTo("# kept\n/c/a.pem [alpn h2] a.test\n\n/c/b.pem [alpn h2]\n/c/./d.pem\n/c/x.pem\n/c/y.pem\n");
        assertThat(file.withEntries(List.of())).isSameAs(file);
    }

    @Test
    void withEntriesKeepsTheSameFileForLinesItHasAndDropsLaterDuplicatesLikeWithEntry() throws Exception {
        CrtListFile file = CrtListFile.parse(FILE, "test");
        assertThat(file.withEntries(List.of("/c/b.pem", "/c/a.pem [alpn h2] a.test", "/c/./d.pem"))).isSameAs(file);

        CrtListFile twice = CrtListFile.parse("/c/a.pem\n/c/b.pem\n/c/./a.pem [alpn h2]\n/c/a.pem\n", "test");
        List<String> lines = List.of("/c/a.pem", "/c/n.pem", "/c/b.pem [alpn h2]");
        CrtListFile oneByOne = twice;
        for (String line : lines) {
            oneByOne = oneByOne.withEntries(List.of(line));
        }
        assertThat(twice.withEntries(lines).render()).isEqualTo(oneByOne.render())
                .isEqualTo("/c/a.pem\n/c/b.pem [alpn h2]\n/c/n.pem\n");
    }

    @Test
    void listedComparesNormalizedPaths() throws Exception {
        CrtListFile file = CrtListFile.parse(FILE, "test");
        assertThat(file.listed(List.of("/c/a.pem", "/c/d.pem", "/c//b.pem", "/c/e.pem")))
                .containsExactlyInAnyOrder("/c/a.pem", "/c/d.pem", "/c//b.pem");
    }
}
