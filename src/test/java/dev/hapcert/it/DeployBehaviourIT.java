package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hapcert deploy} through the launcher against one real HAProxy: idempotence, the older-certificate guard,
 * {@code --dry-run}, {@code --json} and {@code --verify-tls}.
 */
class DeployBehaviourIT {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path tmp;
    private HaproxyProcess haproxy;
    private Path config;

    @BeforeEach
    void startHaproxy() {
        haproxy = HaproxyProcess.builder().crtBase().start();
        config = HapcertYml.write(tmp, HapcertYml.adminSocket("edge", haproxy));
    }

    @AfterEach
    void stopHaproxy() {
        haproxy.close();
    }

    @Test
    void theSameDeployTwiceReportsUnchangedAndTouchesNothing() {
        TestCertificates.Issued issued = haproxy.mint("idem.example.test", "www.idem.example.test");
        BundleFiles files = BundleFiles.write(tmp, "idem", issued);
        CommandRun first = deploy(files.options());
        assertThat(first.exitCode()).as(first.describe()).isZero();
        assertThat(first.stdout()).contains("added");

        String certName = certName("idem.example.test");
        Path bundle = Path.of(certName);
        FileState bundleBefore = FileState.of(bundle);
        FileState crtListBefore = FileState.of(haproxy.crtList());
        assertThat(RuntimeApiProbe.loadedSerial(haproxy.adminSocket(), certName)).contains(issued.serialHex());

        CommandRun second = deploy(Args.of(files.options()).add("--json").toArray());
        assertThat(second.exitCode()).as(second.describe()).isZero();
        Map<String, Object> report = JsonTree.object(second.stdout());
        assertThat(results(report)).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("outcome", "unchanged").containsEntry("serial", issued.serialHex())
                    .containsEntry("previousSerial", issued.serialHex());
        });
        assertThat(FileState.of(bundle)).isEqualTo(bundleBefore);
        assertThat(FileState.of(haproxy.crtList())).isEqualTo(crtListBefore);
        assertThat(RuntimeApiProbe.loadedSerial(haproxy.adminSocket(), certName)).contains(issued.serialHex());
        assertThat(RuntimeApiProbe.certificates(haproxy.adminSocket())).doesNotContain("# transaction");
        for (String sni : List.of("idem.example.test", "www.idem.example.test")) {
            assertThat(haproxy.servedCertificate(sni)).isEqualTo(issued.leaf());
        }
    }

    @Test
    void anOlderCertificateNeverReplacesANewerOneWithoutForce() {
        Instant now = Instant.now();
        TestCertificates.Issued newer = leaf("age.example.test", now.minus(Duration.ofHours(1)));
        TestCertificates.Issued older = leaf("age.example.test", now.minus(Duration.ofDays(2)));
        BundleFiles newerFiles = BundleFiles.write(tmp, "newer", newer);
        BundleFiles olderFiles = BundleFiles.write(tmp, "older", older);
        assertThat(deploy(newerFiles.options()).exitCode()).isZero();
        Path bundle = Path.of(certName("age.example.test"));
        FileState bundleBefore = FileState.of(bundle);

        CommandRun refused = deploy(olderFiles.options());
        assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(3);
        assertThat(refused.stdout()).contains("refused older").contains("--force").contains(newer.serialHex());
        assertThat(haproxy.servedCertificate("age.example.test")).isEqualTo(newer.leaf());
        assertThat(FileState.of(bundle)).isEqualTo(bundleBefore);

        CommandRun forced = deploy(Args.of(olderFiles.options()).add("--force").toArray());
        assertThat(forced.exitCode()).as(forced.describe()).isZero();
        assertThat(forced.stdout()).contains("updated").contains(newer.serialHex() + " -> " + older.serialHex());
        assertThat(haproxy.servedCertificate("age.example.test")).isEqualTo(older.leaf());
        assertThat(RuntimeApiProbe.loadedSerial(haproxy.adminSocket(), certName("age.example.test")))
                .contains(older.serialHex());
    }

    @Test
    void dryRunPrintsThePlanAndTouchesNothing() throws Exception {
        Instant now = Instant.now();
        TestCertificates.Issued current = leaf("plan.example.test", now.minus(Duration.ofHours(2)));
        TestCertificates.Issued renewed = leaf("plan.example.test", now.minus(Duration.ofHours(1)));
        assertThat(deploy(BundleFiles.write(tmp, "current", current).options()).exitCode()).isZero();
        // The directory's lock file, which that deploy created: the dry runs below must not create one again.
        Files.delete(haproxy.certsDir().resolve(".hapcert.lock"));
        String certName = certName("plan.example.test");
        FileState bundleBefore = FileState.of(Path.of(certName));
        FileState crtListBefore = FileState.of(haproxy.crtList());

        CommandRun update = deploy(Args.of(BundleFiles.write(tmp, "renewed", renewed).options()).add("--dry-run").toArray());
        assertThat(update.exitCode()).as(update.describe()).isZero();
        assertThat(update.stdout()).contains("planned").contains("would write bundle file, set+commit ssl cert")
                .contains(current.serialHex() + " -> " + renewed.serialHex());
        assertThat(FileState.of(Path.of(certName))).isEqualTo(bundleBefore);
        assertThat(FileState.of(haproxy.crtList())).isEqualTo(crtListBefore);
        assertThat(RuntimeApiProbe.loadedSerial(haproxy.adminSocket(), certName)).contains(current.serialHex());
        assertThat(haproxy.servedCertificate("plan.example.test")).isEqualTo(current.leaf());

        // A name HAProxy has never seen: the plan is the whole add, and nothing appears anywhere.
        TestCertificates.Issued fresh = haproxy.mint("fresh.example.test");
        CommandRun add = deploy(Args.of(BundleFiles.write(tmp, "fresh", fresh).options()).add("--dry-run", "--json").toArray());
        assertThat(add.exitCode()).as(add.describe()).isZero();
        assertThat(results(JsonTree.object(add.stdout()))).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("outcome", "planned")
                .containsEntry("detail", "would write bundle file, new ssl cert, set+commit ssl cert, add ssl crt-list, "
                        + "write crt-list line"));
        assertThat(Path.of(certName("fresh.example.test"))).doesNotExist();
        assertThat(FileState.of(haproxy.crtList())).isEqualTo(crtListBefore);
        assertThat(RuntimeApiProbe.certificates(haproxy.adminSocket())).doesNotContain("fresh.example.test");
        try (var leftovers = Files.list(haproxy.certsDir())) {
            // .hapcert-owned is the ownership registry the first, real deploy wrote; the dry runs add nothing.
            assertThat(leftovers.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("default.pem", "plan.example.test.pem", ".hapcert-owned");
        }
        assertThat(Files.readString(haproxy.certsDir().resolve(".hapcert-owned")))
                .contains(certName("plan.example.test")).doesNotContain("fresh.example.test");
    }

    @Test
    void jsonReportParsesAndHasTheDocumentedFields() {
        TestCertificates.Issued issued = haproxy.mint("json.example.test");
        CommandRun run = deploy(Args.of(BundleFiles.write(tmp, "json", issued).options()).add("--json").toArray());
        assertThat(run.exitCode()).as(run.describe()).isZero();

        Map<String, Object> report = JsonTree.object(run.stdout());
        assertThat(report).containsOnlyKeys("exitCode", "status", "results")
                .containsEntry("exitCode", 0).containsEntry("status", "ok");
        assertThat(results(report)).singleElement().satisfies(r -> {
            assertThat(r).containsOnlyKeys("target", "certificate", "outcome", "previousSerial", "serial", "detail", "millis")
                    .containsEntry("target", "edge")
                    .containsEntry("certificate", certName("json.example.test"))
                    .containsEntry("outcome", "added")
                    .containsEntry("previousSerial", null)
                    .containsEntry("serial", issued.serialHex());
            assertThat(r.get("detail")).asString().contains("verified");
            assertThat(r.get("millis")).isInstanceOf(Number.class);
        });
        // stdout is the report only; nothing from the key reaches either stream.
        assertThat(run.stdout() + run.stderr()).doesNotContain("PRIVATE KEY");
    }

    @Test
    void verifyTlsPassesWhenTheNamesAreServed() {
        TestCertificates.Issued issued = haproxy.mint("tls.example.test", "api.tls.example.test");
        CommandRun run = deploy(Args.of(BundleFiles.write(tmp, "tls", issued).options())
                .add("--verify-tls", "127.0.0.1:" + haproxy.httpsPort()).toArray());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(haproxy.servedCertificate("api.tls.example.test")).isEqualTo(issued.leaf());

        CommandRun rerun = deploy(Args.of(BundleFiles.write(tmp, "tls-again", issued).options())
                .add("--verify-tls", "127.0.0.1:" + haproxy.httpsPort()).toArray());
        assertThat(rerun.exitCode()).as(rerun.describe()).isZero();
        assertThat(rerun.stdout()).contains("unchanged").contains("verified by TLS");
    }

    @Test
    void verifyTlsAgainstAFrontendThatDoesNotServeTheNameExitsSeven() {
        TestCertificates.Issued issued = haproxy.mint("elsewhere.example.test");
        try (HaproxyProcess other = HaproxyProcess.builder().start()) {
            CommandRun run = deploy(Args.of(BundleFiles.write(tmp, "elsewhere", issued).options())
                    .add("--verify-tls", "127.0.0.1:" + other.httpsPort(), "--json").toArray());
            assertThat(run.exitCode()).as(run.describe()).isEqualTo(7);
            Map<String, Object> report = JsonTree.object(run.stdout());
            assertThat(report).containsEntry("exitCode", 7).containsEntry("status", "verify_failed");
            assertThat(results(report)).singleElement().satisfies(r -> assertThat(r)
                    .containsEntry("outcome", "verify_failed")
                    .hasEntrySatisfying("detail", d -> assertThat(d).asString()
                            .contains("127.0.0.1:" + other.httpsPort() + " serves serial")
                            .contains("expected " + issued.serialHex())));
            // The other frontend still serves its own default: the failure is real, not a probe error.
            assertThat(other.servedCertificate("elsewhere.example.test")).isNotEqualTo(issued.leaf());

            // A rerun finds nothing to change, but what it was asked to verify is still not served: still exit 7.
            CommandRun rerun = deploy(Args.of(BundleFiles.write(tmp, "elsewhere-again", issued).options())
                    .add("--verify-tls", "127.0.0.1:" + other.httpsPort()).toArray());
            assertThat(rerun.exitCode()).as(rerun.describe()).isEqualTo(7);
            assertThat(rerun.stdout()).contains("verify failed").contains("serves serial");
        }
        // Applied but unverified: the target itself does serve it (exit 7 means "check", not "rolled back").
        assertThat(haproxy.servedCertificate("elsewhere.example.test")).isEqualTo(issued.leaf());
    }

    @Test
    void wildcardCertificateIsServedAndVerifiedForNamesUnderIt() {
        TestCertificates.Issued issued = haproxy.mint("*.wild.example.test", "wild.example.test");
        CommandRun run = deploy(Args.of(BundleFiles.write(tmp, "wild", issued).options())
                .add("--verify-tls", "127.0.0.1:" + haproxy.httpsPort()).toArray());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stdout()).contains(certName("wildcard_.wild.example.test"));
        assertThat(haproxy.servedCertificate("anything.wild.example.test")).isEqualTo(issued.leaf());
        assertThat(haproxy.servedCertificate("wild.example.test")).isEqualTo(issued.leaf());
    }

    @Test
    void linesAlreadyInTheCrtListAreKeptByteForByte() throws Exception {
        TestCertificates.Issued other = haproxy.mint("other.example.test");
        Path otherPem = haproxy.certsDir().resolve("other.pem");
        HaproxyProcess.writePrivate(otherPem, other.haproxyPem());
        String existing = "# hand-written: keep\n" + otherPem + " [alpn h2,http/1.1] other.example.test\n\n";
        Files.writeString(haproxy.crtList(), existing);
        haproxy.restart();
        assertThat(haproxy.servedCertificate("other.example.test")).isEqualTo(other.leaf());

        TestCertificates.Issued added = haproxy.mint("added.example.test");
        CommandRun run = deploy(BundleFiles.write(tmp, "added", added).options());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(Files.readString(haproxy.crtList())).startsWith(existing)
                .isEqualTo(existing + certName("added.example.test") + "\n");
        assertThat(haproxy.servedCertificate("other.example.test")).isEqualTo(other.leaf());
        assertThat(haproxy.servedCertificate("added.example.test")).isEqualTo(added.leaf());
        haproxy.restart();
        assertThat(haproxy.servedCertificate("added.example.test")).isEqualTo(added.leaf());
    }

    private CommandRun deploy(String... args) {
        return Hapcert.run(Args.of("deploy", "--config", config.toString()).add(args).toArray());
    }

    private String certName(String name) {
        return haproxy.certsDir().resolve(name + ".pem").toString();
    }

    private TestCertificates.Issued leaf(String name, Instant notBefore) {
        return haproxy.ca().leaf(name).validity(notBefore, notBefore.plus(Duration.ofDays(90)))
                .serial(new BigInteger(63, RANDOM).add(BigInteger.ONE)).issue();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> results(Map<String, Object> report) {
        return (List<Map<String, Object>>) report.get("results");
    }
}
