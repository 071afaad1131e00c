package dev.hapcert.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CrtListFileTest {
    // The manual's example plus what operators write by hand: comments, blank lines, tabs, CRLF, odd spacing.
    private static final String HAND_WRITTEN = """
            # managed by hand, then by hapcert
            cert1.pem !*

            # comment
            cert2.pem [alpn h2,http/1.1]
            certW.pem                   *.domain.tld !secure.domain.tld
            certS.pem [curves X25519:P-256 ciphers ECDHE-ECDSA-AES256-GCM-SHA384] secure.domain.tld
            /etc/ssl/abs.pem\t[ verify   optional ]\twww.example.org\r
              # indented: HAProxy reads this as a certificate named '#'
            """;

    @Test
    void roundTripKeepsEveryByte() throws Exception {
        CrtListFile list = CrtListFile.parse(HAND_WRITTEN, "/etc/haproxy/crt-list.txt");
        assertThat(list.render()).isEqualTo(HAND_WRITTEN);
        assertThat(list.entries()).extracting(CrtListLine::certificate).containsExactly(
                "cert1.pem", "cert2.pem", "certW.pem", "certS.pem", "/etc/ssl/abs.pem", "#");
        assertThat(list.entries().get(1).lineNumber()).isEqualTo(5);
    }

    @Test
    void renderAddsTheFinalNewlineHaproxyNeeds() throws Exception {
        assertThat(CrtListFile.parse("a.pem\nb.pem", "x").render()).isEqualTo("a.pem\nb.pem\n");
        assertThat(CrtListFile.parse("", "x").render()).isEmpty();
        assertThat(CrtListFile.parse("\n\n", "x").render()).isEqualTo("\n\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "/c/a.pem|/c/a.pem|``|``",
        "/c/a.pem [alpn h2]|/c/a.pem|[alpn h2]|``",
        "/c/a.pem [alpn h2] a.test !b.test|/c/a.pem|[alpn h2]|a.test,!b.test",
        "/c/a.pem a.test *.b.test|/c/a.pem|``|a.test,*.b.test",
        "/c/a.pem[alpn h2]a.test|/c/a.pem|[alpn h2]|a.test",
        "/c/a.pem [ verify  required   ciphers X ]|/c/a.pem|[verify required ciphers X]|``",
        "/c/a.pem !*|/c/a.pem|``|!*",
        "`  /c/a.pem   x.test  `|/c/a.pem|``|x.test",
        "/c/a.pem []|/c/a.pem|[]|``"})
    void linesAreReadLikeHaproxy(String raw, String cert, String options, String filters) throws Exception {
        CrtListLine line = CrtListFile.parseLine(raw, 7, "t").orElseThrow();
        assertThat(line.certificate()).isEqualTo(cert);
        assertThat(line.sslOptions()).isEqualTo(options);
        assertThat(String.join(",", line.filters())).isEqualTo(filters);
        assertThat(line.raw()).isEqualTo(raw);
        assertThat(line.lineNumber()).isEqualTo(7);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "/c/a.pem [alpn h2] [verify none]|too many '['",
        "/c/a.pem alpn h2]|']' without '['",
        "/c/a.pem [alpn h2|'[' without ']'",
        "[alpn h2] /c/a.pem|a line must start with a certificate, not '['",
        "/c/a.pem a.test [alpn h2]|SNI filters cannot come between the certificate and its [options]"})
    void malformedLinesAreRefusedWithTheirLineNumber(String raw, String message) {
        assertThatThrownBy(() -> CrtListFile.parse("# first\n" + raw + "\n", "/etc/haproxy/l.txt"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("crt-list /etc/haproxy/l.txt line 2: " + message);
    }

    @Test
    void blankAndCommentLinesAreNotEntries() throws Exception {
        assertThat(CrtListFile.parseLine("", 1, "t")).isEmpty();
        assertThat(CrtListFile.parseLine("# x.pem", 1, "t")).isEmpty();
        assertThat(CrtListFile.parseLine("   \t", 1, "t")).isEmpty();
        assertThat(CrtListFile.parseLine("\r", 1, "t")).isEmpty();
    }

    @Test
    void findHonoursCrtBaseAndNormalization() throws Exception {
        CrtListFile list = CrtListFile.parse(HAND_WRITTEN, "l").withCrtBase("/etc/haproxy/certs");
        assertThat(list.find("/etc/haproxy/certs/cert2.pem")).map(CrtListLine::lineNumber).contains(5);
        assertThat(list.find("cert2.pem")).map(CrtListLine::lineNumber).contains(5);
        assertThat(list.find("/etc/haproxy//certs/./cert2.pem")).isPresent();
        assertThat(list.find("/etc/ssl/abs.pem")).map(CrtListLine::sslOptions).contains("[verify optional]");
        assertThat(list.find("/etc/haproxy/certs/none.pem")).isEmpty();
        // Without a crt-base a relative entry only matches itself.
        assertThat(CrtListFile.parse(HAND_WRITTEN, "l").find("/etc/haproxy/certs/cert2.pem")).isEmpty();
    }

    @Test
    void withEntriesAppendsKeepsOrReplacesInPlace() throws Exception {
        CrtListFile list = CrtListFile.parse(HAND_WRITTEN, "l").withCrtBase("/etc/haproxy/certs");
        String added = "/etc/haproxy/certs/new.pem [alpn h2] new.test";
        CrtListFile appended = list.withEntries(List.of(added));
        assertThat(appended.render()).isEqualTo(HAND_WRITTEN + added + "\n");
        assertThat(appended.withEntries(List.of(added))).isSameAs(appended);

        String replacement = "/etc/haproxy/certs/cert2.pem [alpn http/1.1]";
        CrtListFile replaced = list.withEntries(List.of(replacement));
        assertThat(replaced.render()).isEqualTo(HAND_WRITTEN.replace("cert2.pem [alpn h2,http/1.1]", replacement));
        assertThat(replaced.find("cert2.pem")).map(CrtListLine::lineNumber).contains(5);
    }

    @Test
    void withEntriesLeavesOneLinePerCertificate() throws Exception {
        CrtListFile list = CrtListFile.parse("/c/a.pem\n# keep\n/c/b.pem\n/c//a.pem x.test\n", "l");
        assertThat(list.withEntries(List.of("/c/a.pem [alpn h2]")).render()).isEqualTo("/c/a.pem [alpn h2]\n# keep\n/c/b.pem\n");
        // Even the same line as the first one collapses the later duplicate.
        assertThat(list.withEntries(List.of("/c/a.pem")).render()).isEqualTo("/c/a.pem\n# keep\n/c/b.pem\n");
    }

    @Test
    void withoutEntriesRemovesEveryLineOfTheCertificateOnly() throws Exception {
        CrtListFile list = CrtListFile.parse("# head\n/c/a.pem\n/c/b.pem\n/c/a.pem x.test\n", "l");
        assertThat(list.withoutEntries(List.of("/c/a.pem")).render()).isEqualTo("# head\n/c/b.pem\n");
        assertThat(list.withoutEntries(List.of("/c/zzz.pem"))).isSameAs(list);
    }

    @Test
    void withoutEntriesRemovesTheLinesOfSeveralCertificatesComparedAfterCrtBaseAndNormalization() throws Exception {
        CrtListFile list = CrtListFile.parse("# head\n/c/a.pem\nb.pem\n/c/c.pem\n/c//a.pem x.test\n/c/d.pem\n", "l")
                .withCrtBase("/c");
        assertThat(list.withoutEntries(List.of("/c/a.pem", "/c/b.pem", "/c/./d.pem")).render())
                .isEqualTo("# head\n/c/c.pem\n");
        assertThat(list.withoutEntries(List.of("/c/zzz.pem"))).isSameAs(list);
        assertThat(list.withoutEntries(List.of())).isSameAs(list);
    }

    @Test
    void formatLineBuildsAndValidates() {
        assertThat(CrtListFile.formatLine("/c/a.pem", "", List.of())).isEqualTo("/c/a.pem");
        assertThat(CrtListFile.formatLine("/c/a.pem", " [alpn h2,http/1.1] ", List.of("a.test", "!b.test")))
                .isEqualTo("/c/a.pem [alpn h2,http/1.1] a.test !b.test");
        assertThatThrownBy(() -> CrtListFile.formatLine("c/a.pem", "", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrtListFile.formatLine("/my certs/a.pem", "", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrtListFile.formatLine("/c/a.pem", "alpn h2", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrtListFile.formatLine("/c/a.pem", "", List.of("a b")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrtListFile.formatLine("/c/a.pem", "", List.of("!")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readFromDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("crt-list.txt");
        CrtListFile missing = CrtListFile.read(file);
        assertThat(missing.entries()).isEmpty();
        assertThat(missing.render()).isEmpty();

        Files.writeString(file, HAND_WRITTEN);
        assertThat(CrtListFile.read(file).render()).isEqualTo(HAND_WRITTEN);

        Path link = dir.resolve("link.txt");
        Files.createSymbolicLink(link, file);
        assertThatThrownBy(() -> CrtListFile.read(link)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("refusing to use crt-list " + link + ": it is a symbolic link");

        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'/', 'c', '/', (byte) 0xE9, '.', 'p', 'e', 'm', '\n'});
        assertThatThrownBy(() -> CrtListFile.read(latin1)).hasMessageContaining("is not UTF-8 text");
    }
}
