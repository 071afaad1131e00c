package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CommandTest {
    private static final String PEM = "-----BEGIN CERTIFICATE-----\r\nMIIBAAA\r\n-----END CERTIFICATE-----\r\n\r\n"
            + "\n-----BEGIN CERTIFICATE-----\nMIICCCC\n-----END CERTIFICATE-----\n   \n"
            + "-----BEGIN PRIVATE KEY-----\nMIIKEYKEYKEY\n-----END PRIVATE KEY-----\n\n\n";

    @Test
    void plainCommandIsOneLine() {
        assertThat(new String(Command.of("show", "ssl", "cert").encode(), StandardCharsets.UTF_8))
                .isEqualTo("show ssl cert\n");
    }

    @Test
    void payloadIsFramedWithoutCarriageReturnsOrEmptyLinesAndEndsWithOneEmptyLine() {
        String wire = new String(Command.withPayload(PEM, "set", "ssl", "cert", "/x/a.pem").encode(),
                StandardCharsets.UTF_8);
        assertThat(wire).startsWith("set ssl cert /x/a.pem <<\n-----BEGIN CERTIFICATE-----\nMIIBAAA\n")
                .endsWith("-----END PRIVATE KEY-----\n\n")
                .doesNotContain("\r");
        // Exactly one empty line, at the very end: HAProxy ends the payload at the first one.
        assertThat(wire.indexOf("\n\n")).isEqualTo(wire.length() - 2);
        assertThat(wire.split("\n")).hasSize(10);
    }

    @Test
    void toStringShowsThePayloadSizeOnly() {
        Command c = Command.withPayload(PEM, "set", "ssl", "cert", "/x/a.pem");
        assertThat(c.toString()).matches("set ssl cert /x/a\\.pem <<\\[payload \\d+ bytes]")
                .doesNotContain("MII").doesNotContain("PRIVATE");
        assertThat(Command.of("show", "info").toString()).isEqualTo("show info");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/x/a b.pem", "/x/a.pem\nshow info", "/x/a.pem;del ssl cert /y", "/x/a\t.pem",
            "/x/a.pem\r", "a\\b", "/x/a\u0000.pem", "x<<", "", "/x/a\u00a0.pem"})
    void rejectsArgumentsThatWouldSmuggleCommands(String name) {
        assertThatThrownBy(() -> Command.of("new", "ssl", "cert", name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument");
    }

    @Test
    void rejectionNamesTheOffendingCharacter() {
        assertThatThrownBy(() -> Command.of("new", "ssl", "cert", "/x/a;b"))
                .hasMessageContaining("';'").hasMessageContaining("/x/a;b");
        assertThatThrownBy(() -> Command.of("new", "ssl", "cert", "/x/a\nb"))
                .hasMessageContaining("U+000A").hasMessageContaining("\\u000A");
    }

    @Test
    void emptyPayloadIsRejected() {
        assertThatThrownBy(() -> Command.withPayload("\n\r\n  \n", "set", "ssl", "cert", "/x/a.pem"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    @Test
    void routingPrefixesTheMasterCliTarget() {
        Command c = Command.withPayload("line", "add", "ssl", "crt-list", "/l").routed("@!1234");
        assertThat(new String(c.encode(), StandardCharsets.UTF_8)).isEqualTo("@!1234 add ssl crt-list /l <<\nline\n\n");
        assertThat(Command.of("show", "info").routed("@1").line()).isEqualTo("@1 show info");
        assertThatThrownBy(() -> Command.of("show", "info").routed("@1;x")).isInstanceOf(IllegalArgumentException.class);
    }
}
