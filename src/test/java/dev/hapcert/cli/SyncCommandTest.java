package dev.hapcert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hapcert sync} against a real HAProxy: bulk add, idempotence, a bad bundle reported, prune of owned certificates only. */
class SyncCommandTest {
    @TempDir
    Path tmp;
    private HaproxyProcess haproxy;
    private Path bundles;

    @BeforeEach
    void start() throws Exception {
        haproxy = HaproxyProcess.builder().start();
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

    private TestCertificates.Issued bundle(String name) throws Exception {
        TestCertificates.Issued issued = haproxy.mint(name);
        HaproxyProcess.writePrivate(bundles.resolve(name + ".pem"), issued.haproxyPem());
        return issued;
    }

    @Test
    void syncsADirectoryThenPrunesOnlyWhatItDeployed() throws Exception {
        List<TestCertificates.Issued> issued = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            issued.add(bundle("site" + i + ".example.test"));
        }
        Files.writeString(bundles.resolve("broken.example.test.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n");

        Run first = hapcert("sync", "--source", "dir:" + bundles);
        assertThat(first.code()).as(first.err()).isEqualTo(6);
        assertThat(first.out()).contains("broken.example.test").contains("invalid");
        assertThat(first.out().lines().filter(l -> l.contains(" added ")).count()).isEqualTo(12);
        for (int i = 0; i < 12; i++) {
            assertThat(haproxy.servedCertificate("site" + i + ".example.test").getSerialNumber())
                    .isEqualTo(issued.get(i).leaf().getSerialNumber());
        }

        Files.delete(bundles.resolve("broken.example.test.pem"));
        Run again = hapcert("sync", "--source", "dir:" + bundles);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out().lines().filter(l -> l.contains(" unchanged ")).count()).isEqualTo(12);

        // An operator's own certificate in the same crt-list and directory is never pruned.
        TestCertificates.Issued own = haproxy.mint("own.example.test");
        Path ownFile = haproxy.certsDir().resolve("own.example.test.pem");
        HaproxyProcess.writePrivate(ownFile, own.haproxyPem());
        Files.writeString(haproxy.crtList(), Files.readString(haproxy.crtList()) + ownFile + "\n");
        haproxy.restart();

        Files.delete(bundles.resolve("site0.example.test.pem"));
        Run pruned = hapcert("sync", "--source", "dir:" + bundles, "--prune");
        assertThat(pruned.code()).as(pruned.err()).isZero();
        assertThat(pruned.out()).contains("site0.example.test.pem").contains("removed");
        assertThat(Files.readString(haproxy.crtList())).doesNotContain("site0.example.test").contains("own.example.test");
        assertThat(ownFile).exists();
        assertThat(haproxy.servedCertificate("own.example.test").getSerialNumber()).isEqualTo(own.leaf().getSerialNumber());
        assertThat(haproxy.servedCertificate("site0.example.test").getSerialNumber())
                .isNotEqualTo(issued.get(0).leaf().getSerialNumber());
        assertThat(haproxy.servedCertificate("site1.example.test").getSerialNumber())
                .isEqualTo(issued.get(1).leaf().getSerialNumber());
    }

    @Test
    void syncsAFewHundredCertificatesAndEachIsServed() throws Exception {
        int count = 300;
        List<TestCertificates.Issued> issued = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            issued.add(bundle("bulk" + i + ".example.test"));
        }
        Run run = hapcert("sync", "--source", "dir:" + bundles, "--json");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().split("\"outcome\" : \"added\"", -1)).hasSize(count + 1);
        List<String> lines = Files.readAllLines(haproxy.crtList());
        assertThat(lines.stream().filter(l -> l.contains("bulk")).count()).isEqualTo(count);
        assertThat(lines.stream().distinct().count()).isEqualTo(lines.size());
        for (int i = 0; i < count; i += 37) {
            assertThat(haproxy.servedCertificate("bulk" + i + ".example.test").getSerialNumber())
                    .isEqualTo(issued.get(i).leaf().getSerialNumber());
        }
        Run again = hapcert("sync", "--source", "dir:" + bundles);
        assertThat(again.code()).isZero();
        assertThat(again.err()).contains("sync: " + count + " unchanged");
    }
}
