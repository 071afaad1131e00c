package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.cli.Cli;
import dev.hapcert.haproxy.CertificateLock;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy hook's prepared path (a certificate whose name is known before its files are read, as a certbot lineage's
 * or one given with {@code --name}: the target is locked, opened and observed while the bundle is validated) against a real HAProxy, in process, so that a lock the worker thread failed to give back would show in
 * the next run of the same JVM.
 */
class PreparedDeployIT {
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
    void anInvalidBundleChangesNothingAndLetsGoOfTheLock() throws Exception {
        TestCertificates.Issued issued = haproxy.mint("prep.example.test");
        TestCertificates.Issued other = haproxy.mint("other.example.test");
        Path lineage = lineage("prep.example.test", issued);
        // The key of another certificate: parsing succeeds, validation fails, after the worker took the lock.
        HaproxyProcess.writePrivate(lineage.resolve("privkey.pem"), other.keyPkcs8Pem());
        String crtListBefore = Files.readString(haproxy.crtList());

        Result invalid = deploy(lineage);
        assertThat(invalid.code()).as(invalid.err()).isEqualTo(3);
        assertThat(invalid.err()).contains("private key");
        assertThat(haproxy.certsDir().resolve("prep.example.test.pem")).doesNotExist();
        assertThat(Files.readString(haproxy.crtList())).isEqualTo(crtListBefore);
        assertThat(RuntimeApiProbe.certificates(haproxy.adminSocket())).doesNotContain("prep.example.test")
                .doesNotContain("# transaction");

        // The next deploy in this JVM gets the lock within its one-second timeout: the worker gave it back.
        HaproxyProcess.writePrivate(lineage.resolve("privkey.pem"), issued.keyPkcs8Pem());
        Result valid = deploy(lineage, "--lock-timeout", "1");
        assertThat(valid.code()).as(valid.err()).isZero();
        assertThat(valid.out()).contains("added");
        assertThat(haproxy.servedCertificate("prep.example.test")).isEqualTo(issued.leaf());
    }

    @Test
    void aTempFileLeftByACrashIsStillRemoved() throws Exception {
        TestCertificates.Issued issued = haproxy.mint("temp.example.test");
        Path stale = haproxy.certsDir().resolve(".hapcert-temp.example.test.pem.0011aabbccdd.tmp");
        Files.writeString(stale, "left by a crash");

        Result run = deploy(lineage("temp.example.test", issued));
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("removed 1 temporary file(s)");
        assertThat(stale).doesNotExist();
        assertThat(haproxy.servedCertificate("temp.example.test")).isEqualTo(issued.leaf());
    }

    @Test
    void aHeldLockIsWaitedForAndReportedAsUsual() throws Exception {
        Path lineage = lineage("held.example.test", haproxy.mint("held.example.test"));
        // Another thread of this JVM holds the lock (a lock belongs to the thread that took it).
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (CertificateLock held = CertificateLock.acquire(tmp.resolve("edge.lock"), Duration.ofSeconds(5))) {
                taken.countDown();
                release.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        holder.start();
        try {
            assertThat(taken.await(10, TimeUnit.SECONDS)).isTrue();
            Result run = deploy(lineage, "--lock-timeout", "1");
            assertThat(run.code()).as(run.err()).isNotZero();
            assertThat(run.out() + run.err()).contains("certificate lock").contains("held by another thread of this process");
        } finally {
            release.countDown();
            holder.join();
        }
        assertThat(haproxy.certsDir().resolve("held.example.test.pem")).doesNotExist();
        Result after = deploy(lineage, "--lock-timeout", "1");
        assertThat(after.code()).as(after.err()).isZero();
    }

    @Test
    void aRenewalThenTheSameAgain() {
        Path lineage = lineage("renew.example.test", haproxy.mint("renew.example.test"));
        assertThat(deploy(lineage).code()).isZero();
        TestCertificates.Issued renewed = haproxy.mint("renew.example.test");
        BundleFiles.write(tmp, "renew.example.test", renewed);

        Result update = deploy(lineage);
        assertThat(update.code()).as(update.err()).isZero();
        assertThat(update.out()).contains("updated").contains("verified").contains(renewed.serialHex());
        Result again = deploy(lineage);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("unchanged");
        assertThat(haproxy.servedCertificate("renew.example.test")).isEqualTo(renewed.leaf());
    }

    @Test
    void filesGivenWithTheirNameAsAcmeShGivesThemTakeThePreparedPathToo() throws Exception {
        // contrib/acme.sh passes --fullchain, --key and --name; acme.sh writes SEC1 EC keys.
        TestCertificates.Issued issued = haproxy.mint("files.example.test");
        TestCertificates.Issued other = haproxy.mint("other.example.test");
        Path fullchain = tmp.resolve("fullchain.cer");
        Files.writeString(fullchain, issued.fullchainPem());
        Path key = tmp.resolve("files.example.test.key");
        HaproxyProcess.writePrivate(key, other.keyTraditionalPem());

        Result invalid = deployFiles(fullchain, key, "files.example.test");
        assertThat(invalid.code()).as(invalid.err()).isEqualTo(3);
        assertThat(invalid.err()).contains("private key");
        assertThat(haproxy.certsDir().resolve("files.example.test.pem")).doesNotExist();

        HaproxyProcess.writePrivate(key, issued.keyTraditionalPem());
        Result valid = deployFiles(fullchain, key, "files.example.test", "--lock-timeout", "1");
        assertThat(valid.code()).as(valid.err()).isZero();
        assertThat(valid.out()).contains("added").contains("verified");
        assertThat(haproxy.servedCertificate("files.example.test")).isEqualTo(issued.leaf());
    }

    private Result deployFiles(Path fullchain, Path key, String name, String... more) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = Args.of("deploy", "--config", config.toString(), "--fullchain", fullchain.toString(),
                "--key", key.toString(), "--name", name).add(more).toArray();
        int code = new Cli(new PrintWriter(out, true), new PrintWriter(err, true), Map.of()).run(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path lineage(String name, TestCertificates.Issued issued) {
        return BundleFiles.write(tmp, name, issued).fullchain().getParent();
    }

    private Result deploy(Path lineage, String... more) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = Args.of("deploy", "--config", config.toString(), "--lineage", lineage.toString()).add(more).toArray();
        int code = new Cli(new PrintWriter(out, true), new PrintWriter(err, true), Map.of()).run(args);
        return new Result(code, out.toString(), err.toString());
    }

    private record Result(int code, String out, String err) {
    }
}
