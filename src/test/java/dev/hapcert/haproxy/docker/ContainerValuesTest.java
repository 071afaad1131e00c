package dev.hapcert.haproxy.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small values: inspection facts, tool command lines, exec results, PEM scrubbing. */
class ContainerValuesTest {
    private static ContainerInspection withCommand(String... command) {
        return new ContainerInspection("0123456789abcdef", "/edge", true, "running", List.of(), List.of(command), Map.of());
    }

    @Test
    void tellsMasterWorkerFromTheFirstProcess() {
        assertThat(withCommand("haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg").masterWorker()).isTrue();
        assertThat(withCommand("/usr/sbin/haproxy", "-Ws", "-f", "x").masterWorker()).isTrue();
        assertThat(withCommand("/usr/sbin/haproxy", "-f", "x").masterWorker()).isFalse();
        assertThat(withCommand("/bin/sh", "-c", "haproxy -W -f x").masterWorker()).isFalse();
        assertThat(withCommand("haproxy", "-W").describe()).isEqualTo("edge (0123456789ab)");
    }

    @Test
    void toolCommandLinesCarryTheSocketButNoPayload() {
        assertThat(new RuntimeApiTool(RuntimeApiTool.Kind.SOCAT, "/usr/bin/socat").argv("/run/haproxy/admin.sock"))
                .containsExactly("/usr/bin/socat", "-t", "0.05", "-", "UNIX-CONNECT:/run/haproxy/admin.sock");
        assertThat(new RuntimeApiTool(RuntimeApiTool.Kind.NETCAT, "/bin/nc").argv("/run/h.sock"))
                .containsExactly("/bin/nc", "-U", "/run/h.sock");
    }

    @Test
    void execResultsShowSizesOnly() {
        ExecResult r = new ExecResult(0, "-----BEGIN PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII), new byte[0]);
        assertThat(r.toString()).doesNotContain("PRIVATE").contains("27 bytes");
    }

    @Test
    void scrubsPemBlocksAndBase64Lines() {
        String key = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
        String text = "[ALERT] parsing: -----BEGIN PRIVATE KEY-----\n" + key + "\n-----END PRIVATE KEY-----\nnext\n"
                + "cut: -----BEGIN EC PRIVATE KEY-----\n" + key;
        String scrubbed = PemScrubber.scrub(text);
        assertThat(scrubbed).doesNotContain(key).doesNotContain("PRIVATE").contains("[ALERT] parsing:").contains("next");
        assertThat(PemScrubber.scrub("a line\n" + key + "\n")).isEqualTo("a line\n[base64 redacted]\n");
    }
}
