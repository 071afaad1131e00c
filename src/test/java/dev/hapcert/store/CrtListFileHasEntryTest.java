package dev.hapcert.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link CrtListFile#hasEntry} answers what a full read and find answers, for every kind of line. */
class CrtListFileHasEntryTest {
    private static final String TEXT = "# /etc/haproxy/certs/commented.pem\n"
            + "/etc/haproxy/certs/a.pem\n"
            + "/etc/haproxy/certs/b.pem [alpn h2] b.example.test\n"
            + "/etc/haproxy/certs/c.pem[ssl-min-ver TLSv1.2]\n"
            + "  /etc/haproxy/certs/indented.pem\n"
            + "/etc/haproxy/./certs/dotted.pem\n"
            + "/etc/haproxy/certs/d.pem.bak\n"
            + "/etc/haproxy/certs/crlf.pem\r\n"
            + "/etc/haproxy/certs/e.pem /etc/haproxy/certs/filter-looking.pem\n"
            + "/etc/haproxy/certs/last.pem";

    static Stream<String> names() {
        return Stream.of("/etc/haproxy/certs/a.pem", "/etc/haproxy/certs/b.pem", "/etc/haproxy/certs/c.pem",
                "/etc/haproxy/certs/commented.pem", "/etc/haproxy/certs/indented.pem", "/etc/haproxy/certs/dotted.pem",
                "/etc/haproxy/certs/d.pem", "/etc/haproxy/certs/crlf.pem", "/etc/haproxy/certs/filter-looking.pem",
                "/etc/haproxy/certs/last.pem", "/etc/haproxy/certs/missing.pem", "/etc/haproxy/certs/a.pe");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void answersLikeAFullRead(String name, @TempDir Path dir) throws Exception {
        Path file = write(dir.resolve("crt-list.txt"), TEXT);
        assertThat(CrtListFile.hasEntry(file, name)).isEqualTo(CrtListFile.read(file).find(name).isPresent());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void aMissingFileHasNoEntries(String name, @TempDir Path dir) throws Exception {
        assertThat(CrtListFile.hasEntry(dir.resolve("none.txt"), name)).isFalse();
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        return file;
    }
}
