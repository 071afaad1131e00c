package dev.hapcert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.config.FileOwnership;
import dev.hapcert.config.LeftoverTransactionPolicy;
import dev.hapcert.config.PathMapping;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.DeployOptions;
import dev.hapcert.deploy.Deployer;
import dev.hapcert.deploy.Outcome;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hapcert issuers} against a real HAProxy: it finds the chain the deployed bundles carry, writes its file into
 * an empty issuers-chain-path, and after one reload a sync sends those bundles without their chain while HAProxy
 * serves them with it. It never writes a second file for an issuer, and needs a directory to write to.
 */
class IssuersCommandTest {
    private static final TestCertificates.Authority ROOT = TestCertificates.newRootCa("issuers cmd root");
    private static final TestCertificates.Authority CA = ROOT.intermediate("issuers cmd CA");

    @TempDir
    Path tmp;
    private HaproxyProcess haproxy;

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run hapcert(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new Cli(new PrintWriter(out), new PrintWriter(err), Map.of()).run(args);
        return new Run(code, out.toString(), err.toString());
    }

    private TargetConfig target(Optional<String> issuers) {
        return new TargetConfig("issuers", haproxy.adminSocket().toString(), false, haproxy.crtList().toString(),
                haproxy.certsDir().toString(), PathMapping.IDENTITY, FileOwnership.DEFAULT, Optional.empty(),
                Optional.empty(), "", LeftoverTransactionPolicy.ABORT, haproxy.dir().resolve("hapcert.lock"),
                Optional.empty(), TargetConfig.DEFAULT_PAYLOAD_LIMIT, issuers);
    }

    private static List<DesiredCertificate> certificates(List<TestCertificates.Issued> issued) throws Exception {
        List<DesiredCertificate> certs = new ArrayList<>();
        for (int i = 0; i < issued.size(); i++) {
            String name = "i" + i + ".issuers.test";
            certs.add(new DesiredCertificate(name, BundleReader.fromPem(issued.get(i).haproxyPem(), name),
                    List.of(name), "test"));
        }
        return certs;
    }

    private static int certificateBlocks(Path file) throws Exception {
        return Files.readString(file).split("-----BEGIN CERTIFICATE-----", -1).length - 1;
    }

    @Test
    void writesTheMissingChainAndAfterAReloadSyncSendsBundlesWithoutIt() throws Exception {
        haproxy = HaproxyProcess.builder().issuersChain("").start();
        TargetConfig target = target(Optional.of(haproxy.issuersDir().toString()));
        List<TestCertificates.Issued> issued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            issued.add(CA.leaf("i" + i + ".issuers.test").issue());
        }
        Deployer deployer = new Deployer(DeployOptions.defaults(), m -> { });
        assertThat(deployer.sync(certificates(issued), Set.of(), List.of(target)).results())
                .allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED));
        String cfg = haproxy.config().toString();

        Run look = hapcert("issuers", "--haproxy-config", cfg);
        assertThat(look.code()).as(look.out() + look.err()).isZero();
        assertThat(look.out()).contains("(3 bundle(s))").contains("issuers cmd CA").contains("no file")
                .contains("`hapcert issuers --write`");
        assertThat(haproxy.issuersDir()).isEmptyDirectory();

        Run write = hapcert("issuers", "--write", "--haproxy-config", cfg);
        assertThat(write.code()).as(write.out() + write.err()).isZero();
        List<Path> files;
        try (var list = Files.list(haproxy.issuersDir())) {
            files = list.toList();
        }
        assertThat(files).hasSize(1);
        Path file = files.get(0);
        assertThat(file.getFileName().toString()).matches("issuers-cmd-CA-[0-9a-f]{8}\\.pem");
        assertThat(Files.readString(file)).isEqualTo(TestCertificates.pem(CA.certificate()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("as the bundles").isEqualTo("rw-------");
        assertThat(write.out()).contains("wrote " + file + " (3 bundle(s))").contains("next: reload HAProxy");

        Run waiting = hapcert("issuers", "--haproxy-config", cfg);
        assertThat(waiting.out()).contains("used from its next reload");
        Run asJson = hapcert("issuers", "--json", "--haproxy-config", cfg);
        assertThat(asJson.code()).isZero();
        assertThat(asJson.out()).startsWith("{").contains("\"bundles\" : 3").contains("\"state\" : \"after-reload\"")
                .contains("\"file\" : \"" + file + "\"").contains("\"written\" : [ ]");
        assertThat(hapcert("issuers", "--write", "--haproxy-config", cfg).out()).doesNotContain("wrote ");

        // As if written a minute before the reload: hapcert counts a file only if it is older than HAProxy's start,
        // known to the second.
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        haproxy.restart();
        assertThat(hapcert("issuers", "--haproxy-config", cfg).out()).contains("in use")
                .contains("next: `hapcert sync` writes and sends the 3 bundle(s) whose chain HAProxy completes without it");
        Run doctor = hapcert("doctor", "--haproxy-config", cfg, "--certbot-dir", tmp.resolve("le").toString(),
                "--certbot", "hapcert-test-no-such-certbot");
        assertThat(doctor.out()).contains("3 bundle(s) still carry a chain that a file there holds: `hapcert sync`");

        assertThat(deployer.sync(certificates(issued), Set.of(), List.of(target)).results())
                .allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.UPDATED));
        for (int i = 0; i < 3; i++) {
            String name = "i" + i + ".issuers.test";
            assertThat(certificateBlocks(haproxy.certsDir().resolve(name + ".pem"))).as(name).isEqualTo(1);
            assertThat(haproxy.servedChain(name)).containsExactly(issued.get(i).leaf(), CA.certificate());
        }
        assertThat(hapcert("issuers", "--haproxy-config", cfg).out()).contains("no bundle of the crt-list carries a chain");
    }

    @Test
    void fromASourceTheFilesComeBeforeTheFirstSyncWhichThenSendsEveryBundleWithoutItsChain() throws Exception {
        haproxy = HaproxyProcess.builder().issuersChain("").start();
        String cfg = haproxy.config().toString();
        Path store = Files.createDirectory(tmp.resolve("store"));
        List<TestCertificates.Issued> issued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            issued.add(CA.leaf("s" + i + ".issuers.test").issue());
            HaproxyProcess.writePrivate(store.resolve("s" + i + ".issuers.test.pem"), issued.get(i).haproxyPem());
        }
        HaproxyProcess.writePrivate(store.resolve("broken.issuers.test.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n");
        String source = "dir:" + store;

        Run look = hapcert("issuers", "--source", source, "--haproxy-config", cfg);
        assertThat(look.code()).as(look.out() + look.err()).isZero();
        assertThat(look.out()).contains("source " + source + " (3 certificate(s))").contains("issuers cmd CA")
                .contains("no file").contains("`hapcert issuers --source " + source + " --write`");
        assertThat(look.err()).contains("broken.issuers.test").contains("not counted");

        Run write = hapcert("issuers", "--source", source, "--write", "--json", "--haproxy-config", cfg);
        assertThat(write.code()).as(write.out() + write.err()).isZero();
        assertThat(write.out()).contains("\"source\" : \"" + source + "\"").contains("\"bundles\" : 3");
        List<Path> files;
        try (var list = Files.list(haproxy.issuersDir())) {
            files = list.toList();
        }
        assertThat(files).hasSize(1);
        assertThat(Files.readString(files.get(0))).isEqualTo(TestCertificates.pem(CA.certificate()));
        assertThat(haproxy.crtList()).as("nothing deployed yet").isEmptyFile();

        Files.setLastModifiedTime(files.get(0), FileTime.from(Instant.now().minusSeconds(60)));
        haproxy.restart();
        assertThat(hapcert("issuers", "--source", source, "--haproxy-config", cfg).out()).contains("in use")
                .contains("next: `hapcert sync --source " + source + "` writes and sends the 3 bundle(s)");
        Files.delete(store.resolve("broken.issuers.test.pem"));
        Run sync = hapcert("sync", "--source", source, "--haproxy-config", cfg);
        assertThat(sync.code()).as(sync.out() + sync.err()).isZero();
        for (int i = 0; i < 3; i++) {
            String name = "s" + i + ".issuers.test";
            // zero-config: the bundles go beside the crt-list
            assertThat(certificateBlocks(haproxy.crtList().resolveSibling(name + ".pem"))).as(name).isEqualTo(1);
            assertThat(haproxy.servedChain(name)).containsExactly(issued.get(i).leaf(), CA.certificate());
        }
    }

    @Test
    void aSourceThatCannotBeReadStopsBeforeAnythingIsWritten() throws Exception {
        haproxy = HaproxyProcess.builder().issuersChain("").start();
        String cfg = haproxy.config().toString();

        Run missing = hapcert("issuers", "--write", "--source", "dir:" + tmp.resolve("nowhere"), "--haproxy-config", cfg);
        assertThat(missing.code()).isEqualTo(8);
        assertThat(missing.err()).contains(tmp.resolve("nowhere").toString()).contains("does not exist");
        assertThat(missing.out()).isEmpty();

        Run unknownKind = hapcert("issuers", "--source", "letsencrypt:/etc/letsencrypt", "--haproxy-config", cfg);
        assertThat(unknownKind.code()).isEqualTo(8);
        assertThat(unknownKind.err()).contains("unknown kind 'letsencrypt'").contains("certbot:DIR");
        assertThat(haproxy.issuersDir()).isEmptyDirectory();
    }

    @Test
    void anIssuerWithAFileForAnotherChainGetsNoSecondFile() throws Exception {
        haproxy = HaproxyProcess.builder()
                .issuersChain(TestCertificates.pem(CA.certificate()) + TestCertificates.pem(ROOT.certificate()))
                .start();
        TargetConfig target = target(Optional.of(haproxy.issuersDir().toString()));
        new Deployer(DeployOptions.defaults(), m -> { })
                .sync(certificates(List.of(CA.leaf("i0.issuers.test").issue())), Set.of(), List.of(target));

        Run run = hapcert("issuers", "--write", "--haproxy-config", haproxy.config().toString());
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("holds another chain").doesNotContain("wrote ");
        try (var list = Files.list(haproxy.issuersDir())) {
            assertThat(list.toList()).hasSize(1);
        }
    }

    @Test
    void withoutIssuersChainPathWritingNeedsADirectoryAndSaysWhatToAdd() throws Exception {
        haproxy = HaproxyProcess.builder().start();
        new Deployer(DeployOptions.defaults(), m -> { })
                .sync(certificates(List.of(CA.leaf("i0.issuers.test").issue())), Set.of(), List.of(target(Optional.empty())));
        String cfg = haproxy.config().toString();

        Run look = hapcert("issuers", "--haproxy-config", cfg);
        assertThat(look.code()).isZero();
        assertThat(look.out()).contains("issuers directory none").contains("--write --dir DIR");

        Run refused = hapcert("issuers", "--write", "--haproxy-config", cfg);
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("has no issuers-chain-path").contains("--dir DIR");

        Path dir = tmp.resolve("new-issuers");
        Run write = hapcert("issuers", "--write", "--dir", dir.toString(), "--haproxy-config", cfg);
        assertThat(write.code()).as(write.out() + write.err()).isZero();
        assertThat(write.out()).contains("wrote " + dir.resolve("")).contains("add `issuers-chain-path`");
        try (var list = Files.list(dir)) {
            assertThat(list.toList()).hasSize(1);
        }
    }
}
