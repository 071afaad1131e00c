package dev.hapcert.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.config.FileOwnership;
import dev.hapcert.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry of the certificates hapcert deployed into a directory. */
class OwnershipFileTest {
    @TempDir
    Path dir;

    @Test
    void updatesAndReadsBackSortedNames() throws Exception {
        OwnershipFile.read(dir).update(List.of("/c/b.pem", "/c/a.pem"), List.of(), FileOwnership.DEFAULT);
        OwnershipFile owned = OwnershipFile.read(dir);
        assertThat(owned.names()).containsExactlyInAnyOrder("/c/a.pem", "/c/b.pem");
        owned.update(List.of(), List.of("/c/a.pem"), FileOwnership.DEFAULT);
        assertThat(OwnershipFile.read(dir).names()).containsExactly("/c/b.pem");
    }

    @Test
    void listsAllMatchesWholeLinesOnly() throws Exception {
        assertThat(OwnershipFile.listsAll(dir, List.of("/c/a.pem"))).isFalse();  // no registry yet
        assertThat(OwnershipFile.listsAll(dir, List.of())).isTrue();
        OwnershipFile.read(dir).update(List.of("/c/a.pem", "/c/ab.pem"), List.of(), FileOwnership.DEFAULT);
        assertThat(OwnershipFile.listsAll(dir, List.of("/c/a.pem"))).isTrue();
        assertThat(OwnershipFile.listsAll(dir, List.of("/c/a.pem", "/c/ab.pem"))).isTrue();
        // A prefix or a part of a listed name is not listed.
        assertThat(OwnershipFile.listsAll(dir, List.of("/c/a"))).isFalse();
        assertThat(OwnershipFile.listsAll(dir, List.of("c/a.pem"))).isFalse();
        assertThat(OwnershipFile.listsAll(dir, List.of("/c/a.pem", "/c/b.pem"))).isFalse();
    }

    @Test
    void listsAllLooksUpManyNamesInTheLinesReadOnce() throws Exception {
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            many.add("/c/site-" + i + ".pem");
        }
        OwnershipFile.read(dir).update(many, List.of(), FileOwnership.DEFAULT);
        assertThat(OwnershipFile.listsAll(dir, many)).isTrue();
        List<String> oneMore = new java.util.ArrayList<>(many);
        oneMore.add("/c/site-2000.pem");
        assertThat(OwnershipFile.listsAll(dir, oneMore)).isFalse();
        assertThat(OwnershipFile.listsAll(dir, many.subList(0, 20).stream().map(n -> n + "x").toList())).isFalse();
    }

    @Test
    void aSymbolicLinkIsNeitherTrustedNorFollowed() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "# x\n/c/a.pem\n");
        Files.createSymbolicLink(dir.resolve(OwnershipFile.FILE_NAME), elsewhere);
        assertThat(OwnershipFile.listsAll(dir, List.of("/c/a.pem"))).isFalse();
        assertThatThrownBy(() -> OwnershipFile.read(dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("symbolic link");
    }
}
