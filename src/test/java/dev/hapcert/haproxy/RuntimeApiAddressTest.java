package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RuntimeApiAddressTest {
    @ParameterizedTest
    @CsvSource({
            "/run/haproxy/admin.sock, unix@/run/haproxy/admin.sock",
            "unix@/run/haproxy/admin.sock, unix@/run/haproxy/admin.sock",
            "unix:/run/haproxy/admin.sock, unix@/run/haproxy/admin.sock",
            "ipv4@127.0.0.1:9999, ipv4@127.0.0.1:9999",
            "ipv6@[::1]:9999, ipv6@[::1]:9999",
            "[::1]:9999, ipv6@[::1]:9999",
            "tcp:127.0.0.1:9999, ipv4@127.0.0.1:9999",
            "tcp:lb1.example.net:9999, tcp:lb1.example.net:9999",
            "localhost:1, tcp:localhost:1",
            "master:/run/haproxy-master.sock, master:unix@/run/haproxy-master.sock",
            "master:ipv4@127.0.0.1:1234, master:ipv4@127.0.0.1:1234",
    })
    void parsesEveryFormToItsCanonicalFormAndBack(String text, String canonical) throws ConfigException {
        RuntimeApiAddress a = RuntimeApiAddress.parse(text);
        assertThat(a.toString()).isEqualTo(canonical);
        assertThat(RuntimeApiAddress.parse(a.toString())).isEqualTo(a);
    }

    @ParameterizedTest
    @CsvSource({"/run/h.sock, UNIX, false", "master:/run/h.sock, UNIX, true", "127.0.0.1:80, TCP, false"})
    void kindAndMasterFlag(String text, RuntimeApiAddress.Kind kind, boolean master) throws ConfigException {
        RuntimeApiAddress a = RuntimeApiAddress.parse(text);
        assertThat(a.kind()).isEqualTo(kind);
        assertThat(a.masterCli()).isEqualTo(master);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "relative/admin.sock", "unix@relative.sock", "127.0.0.1", "127.0.0.1:0",
            "127.0.0.1:65536", "ipv4@localhost:99", "ipv6@::1:9999", "abns@haproxy", "fd@3", "udp@1.2.3.4:5",
            "host:port", "tcp:", "http://127.0.0.1:80"})
    void rejectsAnythingElseWithTheAcceptedForms(String text) {
        assertThatThrownBy(() -> RuntimeApiAddress.parse(text)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(text.isBlank() ? "empty" : "'" + text.strip() + "'");
    }

    @org.junit.jupiter.api.Test
    void rejectsUnixPathsTooLongForTheKernel() {
        String p = "/" + "a".repeat(120);
        assertThatThrownBy(() -> RuntimeApiAddress.parse(p)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("107 bytes");
        assertThat(RuntimeApiAddress.unix(Path.of("/x")).displayName()).isEqualTo("/x");
    }
}
