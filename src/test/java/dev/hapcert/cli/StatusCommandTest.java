package dev.hapcert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hapcert status} against a real HAProxy: clean, drift after an out-of-band change, expiry warning, JSON. */
class StatusCommandTest {
    @TempDir
    Path tmp;
    private HaproxyProcess haproxy;
    private Path bundles;

    @BeforeEach
    void start() throws Exception {
        haproxy = HaproxyProcess.builder().crtBase().start();
        bundles = Files.createDirectories(tmp.resolve("bundles"));
    }

    @AfterEach
    void stop() {
        haproxy.close();
    }

    private record Run(int code, String out, String err) {
    }

    private Run hapcert(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--haproxy-config", haproxy.config().toString()));
        int code = new Cli(new PrintWriter(out), new PrintWriter(err), Map.of()).run(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    private void bundle(String name, TestCertificates.Issued issued) {
        HaproxyProcess.writePrivate(bundles.resolve(name + ".pem"), issued.haproxyPem());
    }

    @Test
    void reportsCleanThenDriftThenExpiry() throws Exception {
        TestCertificates.Issued a = haproxy.mint("a.example.test");
        bundle("a.example.test", a);
        bundle("b.example.test", haproxy.mint("b.example.test"));
        assertThat(hapcert("sync", "--source", "dir:" + bundles).code()).isZero();

        Run clean = hapcert("status", "--source", "dir:" + bundles);
        assertThat(clean.code()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).contains("a.example.test.pem").contains(a.serialHex()).contains("ok");

        // Out of band: someone replaces a's file on disk; HAProxy still serves the old one.
        TestCertificates.Issued other = haproxy.mint("a.example.test");
        HaproxyProcess.writePrivate(haproxy.certsDir().resolve("a.example.test.pem"), other.haproxyPem());
        Run drift = hapcert("status", "--source", "dir:" + bundles);
        assertThat(drift.code()).isEqualTo(9);
        assertThat(drift.out()).contains("loaded differs from disk").contains("source has a different certificate");

        // A renewal that is due soon: deployed, then flagged by --warn-days.
        TestCertificates.Issued soon = haproxy.ca().leaf("c.example.test")
                .validity(Instant.now().minus(Duration.ofDays(80)), Instant.now().plus(Duration.ofDays(5))).issue();
        bundle("c.example.test", soon);
        HaproxyProcess.writePrivate(haproxy.certsDir().resolve("a.example.test.pem"), a.haproxyPem());
        assertThat(hapcert("sync", "--source", "dir:" + bundles).code()).isZero();
        Run expiring = hapcert("status", "--warn-days", "10", "--json");
        assertThat(expiring.code()).isEqualTo(9);
        assertThat(expiring.out()).contains("expires in 4 days").doesNotContain("differs");
        assertThat(hapcert("status", "--warn-days", "3").code()).isZero();

        try (JsonParser p = new JsonFactory().createParser(expiring.out())) {
            int certificates = 0;
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME && p.currentName().equals("certificate")) {
                    certificates++;
                }
            }
            assertThat(certificates).isEqualTo(3);
        }
    }
}
