package dev.hapcert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reload fallback against a real master-worker HAProxy: used only when the Runtime API cannot be reached and
 * the configuration allows it, and only after {@code haproxy -c} accepts the new files.
 */
class ReloadFallbackTest {
    @TempDir
    Path tmp;
    private HaproxyProcess haproxy;

    @BeforeEach
    void start() {
        haproxy = HaproxyProcess.builder().masterWorker().crtBase().start();
    }

    @AfterEach
    void stop() {
        haproxy.close();
    }

    private Path config(String sslOptions, boolean allowReload) throws Exception {
        String yaml = "targets:\n"
                + "  - name: edge\n"
                + "    runtime-api: " + tmp.resolve("no-such.sock") + "\n"
                + "    crt-list: " + haproxy.crtList() + "\n"
                + "    cert-dir: " + haproxy.certsDir() + "\n"
                + "    haproxy-config: " + haproxy.config() + "\n"
                + "    lock-file: " + tmp.resolve("edge.lock") + "\n"
                + (sslOptions.isEmpty() ? "" : "    ssl-options: \"" + sslOptions + "\"\n")
                + (allowReload ? "    reload: { method: master-cli, master-socket: " + haproxy.masterSocket() + " }\n" : "");
        return Files.writeString(tmp.resolve("hapcert.yml"), yaml);
    }

    private int deploy(Path config, Path bundle, StringWriter out) {
        return new Cli(new PrintWriter(out), new PrintWriter(new StringWriter()), Map.of()).run("deploy", "--config",
                config.toString(), "--fullchain", bundle.toString(), "--verify-tls", "127.0.0.1:" + haproxy.httpsPort());
    }

    @Test
    void reloadsOnlyWhenAllowedAndServesTheNewCertificate() throws Exception {
        TestCertificates.Issued issued = haproxy.mint("fallback.example.test");
        Path bundle = tmp.resolve("bundle.pem");
        HaproxyProcess.writePrivate(bundle, issued.haproxyPem());

        StringWriter refused = new StringWriter();
        assertThat(deploy(config("", false), bundle, refused)).isEqualTo(5);
        assertThat(haproxy.certsDir().resolve("fallback.example.test.pem")).doesNotExist();

        StringWriter out = new StringWriter();
        assertThat(deploy(config("", true), bundle, out)).as(out.toString()).isZero();
        assertThat(out.toString()).contains("reloaded");
        assertThat(haproxy.servedCertificate("fallback.example.test").getSerialNumber())
                .isEqualTo(issued.leaf().getSerialNumber());
    }

    @Test
    void aSyncThroughTheReloadChecksEveryCertificateByTls() throws Exception {
        Path store = Files.createDirectories(tmp.resolve("store"));
        List<TestCertificates.Issued> issued = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            TestCertificates.Issued c = haproxy.mint("r" + i + ".example.test");
            issued.add(c);
            HaproxyProcess.writePrivate(store.resolve("r" + i + ".example.test.pem"), c.haproxyPem());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new Cli(new PrintWriter(out), new PrintWriter(err), Map.of()).run("sync", "--config",
                config("", true).toString(), "--source", "dir:" + store, "--verify-tls", "127.0.0.1:" + haproxy.httpsPort());
        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString().lines().filter(l -> l.contains(" reloaded "))).hasSize(30);
        for (int i : new int[] {0, 29}) {
            assertThat(haproxy.servedCertificate("r" + i + ".example.test").getSerialNumber())
                    .isEqualTo(issued.get(i).leaf().getSerialNumber());
        }
    }

    @Test
    void aConfigurationHaproxyRejectsIsPutBack() throws Exception {
        String crtListBefore = Files.readString(haproxy.crtList());
        TestCertificates.Issued issued = haproxy.mint("rejected.example.test");
        Path bundle = tmp.resolve("bundle.pem");
        HaproxyProcess.writePrivate(bundle, issued.haproxyPem());

        StringWriter out = new StringWriter();
        int code = deploy(config("[no-such-ssl-option on]", true), bundle, out);
        assertThat(code).as(out.toString()).isEqualTo(4);
        assertThat(out.toString()).contains("haproxy -c");
        assertThat(Files.readString(haproxy.crtList())).isEqualTo(crtListBefore);
        assertThat(haproxy.certsDir().resolve("rejected.example.test.pem")).doesNotExist();
        assertThat(haproxy.isRunning()).isTrue();
    }
}
