package dev.hapcert.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.config.FileOwnership;
import dev.hapcert.config.LeftoverTransactionPolicy;
import dev.hapcert.config.PathMapping;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real HAProxy with {@code issuers-chain-path}: bundles whose chain is one of its files are written and sent
 * without it, and HAProxy serves them with it, after the commit and after a restart; others keep their chain.
 */
class IssuersChainPathTest {
    private static final TestCertificates.Authority ROOT = TestCertificates.newRootCa("chain test root");
    private static final TestCertificates.Authority CA = ROOT.intermediate("chain test CA");
    private static final TestCertificates.Authority OTHER = ROOT.intermediate("chain test other CA");

    private HaproxyProcess haproxy;
    private TargetConfig target;

    @BeforeEach
    void start() {
        haproxy = HaproxyProcess.builder().issuersChain(TestCertificates.pem(CA.certificate())).start();
        target = new TargetConfig("chains", haproxy.adminSocket().toString(), false, haproxy.crtList().toString(),
                haproxy.certsDir().toString(), PathMapping.IDENTITY, FileOwnership.DEFAULT, Optional.empty(),
                Optional.empty(), "", LeftoverTransactionPolicy.ABORT, haproxy.dir().resolve("hapcert.lock"),
                Optional.empty(), TargetConfig.DEFAULT_PAYLOAD_LIMIT, Optional.of(haproxy.issuersDir().toString()));
    }

    @AfterEach
    void stop() {
        haproxy.close();
    }

    private static DesiredCertificate cert(String name, TestCertificates.Issued issued) throws Exception {
        return new DesiredCertificate(name, BundleReader.fromPem(issued.haproxyPem(), name), List.of(name), "test");
    }

    private Path file(String name) {
        return haproxy.certsDir().resolve(name + ".pem");
    }

    private static int certificateBlocks(Path file) throws Exception {
        return Files.readString(file).split("-----BEGIN CERTIFICATE-----", -1).length - 1;
    }

    private void assertServedWith(String name, TestCertificates.Issued issued, X509Certificate intermediate) {
        assertThat(haproxy.servedChain(name)).as("chain served for " + name)
                .containsExactly(issued.leaf(), intermediate);
    }

    @Test
    void bundlesHaproxyCompletesAreWrittenWithoutTheirChainAndServedWithIt() throws Exception {
        Deployer deployer = new Deployer(DeployOptions.defaults(), m -> { });
        List<TestCertificates.Issued> issued = new ArrayList<>();
        List<DesiredCertificate> certs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            issued.add(CA.leaf("c" + i + ".chains.test").issue());
            certs.add(cert("c" + i + ".chains.test", issued.get(i)));
        }
        TestCertificates.Issued other = OTHER.leaf("o.chains.test").issue();
        certs.add(cert("o.chains.test", other));

        // Several certificates: the bulk path.
        DeployReport report = deployer.sync(certs, Set.of(), List.of(target));
        assertThat(report.results()).allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED));
        for (int i = 0; i < 3; i++) {
            assertThat(certificateBlocks(file("c" + i + ".chains.test"))).isEqualTo(1);
            assertServedWith("c" + i + ".chains.test", issued.get(i), CA.certificate());
        }
        assertThat(certificateBlocks(file("o.chains.test"))).as("its issuer is not in the directory").isEqualTo(2);
        assertServedWith("o.chains.test", other, OTHER.certificate());

        // The files compare equal to what a rerun would write: nothing to do.
        assertThat(deployer.sync(certs, Set.of(), List.of(target)).results())
                .allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.UNCHANGED));

        // One certificate: the hook's path.
        TestCertificates.Issued renewed = CA.leaf("c0.chains.test").issue();
        DeployReport one = deployer.deploy(List.of(cert("c0.chains.test", renewed)), List.of(target));
        assertThat(one.results().get(0).outcome()).as(one.results().get(0).detail()).isEqualTo(Outcome.UPDATED);
        assertThat(certificateBlocks(file("c0.chains.test"))).isEqualTo(1);
        assertServedWith("c0.chains.test", renewed, CA.certificate());

        // A restart loads the files and completes the chains the same way.
        haproxy.restart();
        assertServedWith("c0.chains.test", renewed, CA.certificate());
        assertServedWith("c1.chains.test", issued.get(1), CA.certificate());
        assertServedWith("o.chains.test", other, OTHER.certificate());
    }

    @Test
    void statusTellsWhichBundlesARestartWouldServeWithoutTheirChainOnceTheIssuerFileIsGone() throws Exception {
        Deployer deployer = new Deployer(DeployOptions.defaults(), m -> { });
        List<DesiredCertificate> certs = List.of(cert("s0.chains.test", CA.leaf("s0.chains.test").issue()),
                cert("s1.chains.test", CA.leaf("s1.chains.test").issue()),
                cert("so.chains.test", OTHER.leaf("so.chains.test").issue()));
        assertThat(deployer.sync(certs, Set.of(), List.of(target)).results())
                .allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED));
        StatusInspector status = new StatusInspector(java.time.Duration.ofDays(1), java.time.Instant.now());
        String risk = "bundle file without its chain, and no issuer file for its CA in issuers-chain-path";
        assertThat(problems(status)).allSatisfy((name, problems) -> assertThat(problems).as(name).noneMatch(p -> p.startsWith(risk)));

        try (var files = Files.list(haproxy.issuersDir())) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        java.util.Map<String, List<String>> gone = problems(status);
        assertThat(gone.get(file("s0.chains.test").toString())).anyMatch(p -> p.startsWith(risk));
        assertThat(gone.get(file("s1.chains.test").toString())).anyMatch(p -> p.startsWith(risk));
        assertThat(gone.get(file("so.chains.test").toString())).as("it has its chain").noneMatch(p -> p.startsWith(risk));

        // The sync the message asks for writes the chains back.
        assertThat(deployer.sync(certs, Set.of(), List.of(target)).results()).filteredOn(r -> !r.certificate().contains("so."))
                .allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.UPDATED));
        assertThat(problems(status)).allSatisfy((name, problems) -> assertThat(problems).as(name).noneMatch(p -> p.startsWith(risk)));
    }

    private java.util.Map<String, List<String>> problems(StatusInspector status) {
        java.util.Map<String, List<String>> out = new java.util.HashMap<>();
        for (CertificateStatus c : status.inspect(List.of(), false, List.of(target)).get(0).certificates()) {
            out.put(c.certificate(), c.problems());
        }
        return out;
    }

    @Test
    void anIssuerFileAddedAfterHaproxyStartedIsNotReliedOn() throws Exception {
        // HAProxy reads issuers-chain-path only when it starts: it has no chain for this CA until it restarts.
        Files.writeString(haproxy.issuersDir().resolve("other.pem"), TestCertificates.pem(OTHER.certificate()));
        TestCertificates.Issued first = OTHER.leaf("n0.chains.test").issue();
        TestCertificates.Issued second = OTHER.leaf("n1.chains.test").issue();
        DeployReport report = new Deployer(DeployOptions.defaults(), m -> { }).sync(
                List.of(cert("n0.chains.test", first), cert("n1.chains.test", second)), Set.of(), List.of(target));
        assertThat(report.results()).allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED));
        assertThat(certificateBlocks(file("n0.chains.test"))).isEqualTo(2);
        assertServedWith("n0.chains.test", first, OTHER.certificate());
        assertServedWith("n1.chains.test", second, OTHER.certificate());
    }
}
