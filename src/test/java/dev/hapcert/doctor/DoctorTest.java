package dev.hapcert.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.config.ConfigLoader;
import dev.hapcert.config.HaproxyCfgDiscovery;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.DeployOptions;
import dev.hapcert.deploy.Deployer;
import dev.hapcert.deploy.Outcome;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.ExitCode;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import dev.hapcert.testkit.UnixSocketServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Doctor} against a real HAProxy 2.6, healthy and then broken one way per test; each test checks the finding
 * that names the breakage, and that the checks which cannot run say nothing rather than something wrong.
 */
class DoctorTest {
    private static final String NO_CERTBOT = "hapcert-test-no-such-certbot";

    @TempDir
    Path tmp;
    HaproxyProcess haproxy;

    @BeforeEach
    void start() {
        haproxy = HaproxyProcess.builder().crtBase().lowLevelSockets().start();
    }

    @AfterEach
    void stop() {
        haproxy.close();
    }

    private DoctorReport examine(Doctor.TargetLoader loader) {
        return new Doctor(new Doctor.Settings(tmp.resolve("no-letsencrypt"), NO_CERTBOT), m -> { }).examine(loader);
    }

    private DoctorReport discovered() {
        return discovered(haproxy.config());
    }

    private DoctorReport discovered(Path cfg) {
        return examine(() -> List.of(HaproxyCfgDiscovery.discover(cfg).target()));
    }

    private DoctorReport fromYaml(String targetLines) throws Exception {
        Path yml = tmp.resolve("hapcert.yml");
        Files.writeString(yml, "targets:\n  - name: edge\n" + targetLines.indent(4));
        return examine(() -> ConfigLoader.load(yml).targets());
    }

    private String defaultTarget() {
        return """
                runtime-api: %s
                crt-list: %s
                cert-dir: %s
                """.formatted(haproxy.adminSocket(), haproxy.crtList(), haproxy.certsDir());
    }

    private static Severity only(DoctorReport report, String check) {
        List<Finding> findings = report.of(check);
        assertThat(findings).as(check).hasSize(1);
        return findings.get(0).severity();
    }

    @Test
    void aHealthySetupHasNoFailureAndEveryCheckSpeaks() {
        DoctorReport report = discovered();

        assertThat(report.count(Severity.FAIL)).as(report.toString()).isZero();
        assertThat(report.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(report.findings()).extracting(Finding::check).contains("config", "runtime-api", "admin-level",
                "version", "crt-list", "paths", "writable", "key-modes", "transaction", "certbot", "certbot-hook");
        assertThat(report.of("version").get(0).message()).containsPattern("^HAProxy \\d+\\.\\d+").contains("add/del/show ssl crt-list");
        assertThat(report.of("crt-list").get(0).message()).contains(haproxy.crtList().toString());
        assertThat(report.findings()).allSatisfy(f -> assertThat(f.severity()).as(f.toString()).isEqualTo(Severity.OK));
    }

    @Test
    void issuerFilesAreCountedAndOnesNewerThanHaproxyAreReported() throws Exception {
        TestCertificates.Authority root = TestCertificates.newRootCa("doctor issuers root");
        try (HaproxyProcess withIssuers = HaproxyProcess.builder()
                .issuersChain(TestCertificates.pem(root.intermediate("doctor CA").certificate())).start()) {
            DoctorReport report = discovered(withIssuers.config());
            assertThat(only(report, "issuers")).isEqualTo(Severity.OK);
            assertThat(report.of("issuers").get(0).message()).startsWith("1 issuer file(s) in " + withIssuers.issuersDir())
                    .contains("loaded by HAProxy");
            Files.writeString(withIssuers.issuersDir().resolve("new.pem"),
                    TestCertificates.pem(root.intermediate("doctor new CA").certificate()));
            DoctorReport later = discovered(withIssuers.config());
            assertThat(only(later, "issuers")).isEqualTo(Severity.WARN);
            assertThat(later.of("issuers").get(0).message()).startsWith("1 of 2 issuer file(s)");
            assertThat(later.of("issuers").get(0).fix()).contains("reload HAProxy");
        }
        assertThat(discovered().of("issuers")).as("no issuers-chain-path, nothing to say").isEmpty();
    }

    @Test
    void bundlesWithoutTheirChainWhoseIssuerFileIsGoneFailUntilASyncWritesTheirChainsBack() throws Exception {
        TestCertificates.Authority ca = TestCertificates.newRootCa("doctor orphans root").intermediate("doctor orphans CA");
        try (HaproxyProcess withIssuers = HaproxyProcess.builder().issuersChain(TestCertificates.pem(ca.certificate())).start()) {
            TargetConfig target = HaproxyCfgDiscovery.discover(withIssuers.config()).target();
            List<DesiredCertificate> certs = new ArrayList<>();
            for (String name : List.of("a.orphans.test", "b.orphans.test")) {
                certs.add(new DesiredCertificate(name, BundleReader.fromPem(ca.leaf(name).issue().haproxyPem(), name),
                        List.of(name), "test"));
            }
            Deployer deployer = new Deployer(DeployOptions.defaults(), m -> { });
            assertThat(deployer.sync(certs, Set.of(), List.of(target)).results())
                    .allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED));
            DoctorReport fine = discovered(withIssuers.config());
            assertThat(only(fine, "issuers")).isEqualTo(Severity.OK);
            assertThat(fine.of("issuers").get(0).message()).doesNotContain("carry a chain");

            try (Stream<Path> files = Files.list(withIssuers.issuersDir())) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            DoctorReport gone = discovered(withIssuers.config());
            assertThat(only(gone, "issuers")).isEqualTo(Severity.FAIL);
            assertThat(gone.of("issuers").get(0).message()).startsWith("2 bundle(s) of crt-list " + withIssuers.crtList())
                    .contains("after a restart or reload it would serve them without their intermediates");
            assertThat(gone.of("issuers").get(0).fix()).contains("hapcert sync");

            // A sync renders each bundle for the issuer files there now: with its chain, which it sends too.
            assertThat(deployer.sync(certs, Set.of(), List.of(target)).results())
                    .allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.UPDATED));
            DoctorReport synced = discovered(withIssuers.config());
            assertThat(only(synced, "issuers")).isEqualTo(Severity.OK);
            assertThat(synced.of("issuers").get(0).message())
                    .contains("2 bundle(s) carry a chain whose issuer has no file in " + withIssuers.issuersDir())
                    .contains("doctor orphans CA").endsWith("`hapcert issuers --write` adds it");
            withIssuers.restart();
            assertThat(withIssuers.servedChain("a.orphans.test")).hasSize(2).endsWith(ca.certificate());
        }
    }

    @Test
    void manyBundlesWithOneChainAndNoIssuersChainPathAreToldWhatItWouldSave() throws Exception {
        TestCertificates.Authority ca = TestCertificates.newRootCa("doctor shared root").intermediate("doctor shared CA");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < IssuersCheck.SUGGEST_FROM; i++) {
            Path bundle = haproxy.certsDir().resolve("shared" + i + ".pem");
            Files.writeString(bundle, ca.leaf("shared" + i + ".doctor.test").issue().haproxyPem());
            lines.add(bundle.toString());
        }
        Files.write(haproxy.crtList(), lines);
        DoctorReport report = discovered();
        assertThat(only(report, "issuers")).isEqualTo(Severity.OK);
        assertThat(report.of("issuers").get(0).message())
                .startsWith(IssuersCheck.SUGGEST_FROM + " of the " + IssuersCheck.SUGGEST_FROM + " bundles of crt-list "
                        + haproxy.crtList() + " carry the same chain (")
                .contains("doctor shared CA").contains("issuers-chain-path");

        Files.write(haproxy.crtList(), lines.subList(1, lines.size()));
        assertThat(discovered().of("issuers")).as("fewer than the threshold").isEmpty();
    }

    @Test
    void targetsAreLookedAtSideBySideAndReportedInTheirOrder() throws Exception {
        // Each stand-in HAProxy holds its first connection until the other one has been reached too: checked one
        // after the other, the first would wait out the 20 s alone.
        CountDownLatch bothReached = new CountDownLatch(2);
        Map<String, Boolean> reachedTogether = new ConcurrentHashMap<>();
        List<UnixSocketServer> servers = new ArrayList<>();
        StringBuilder yaml = new StringBuilder("targets:\n");
        try {
            for (String name : List.of("first", "second")) {
                Path socket = tmp.resolve(name + ".sock");
                servers.add(new UnixSocketServer(socket, name, connection -> {
                    try (connection) {
                        bothReached.countDown();
                        reachedTogether.putIfAbsent(name, bothReached.await(20, TimeUnit.SECONDS));
                    } catch (IOException | InterruptedException e) {
                        reachedTogether.putIfAbsent(name, false);
                    }
                }));
                yaml.append("  - name: ").append(name).append("\n    runtime-api: ").append(socket)
                        .append("\n    crt-list: ").append(tmp.resolve(name + "/crt-list.txt"))
                        .append("\n    cert-dir: ").append(tmp.resolve(name)).append("\n");
            }
            Path yml = tmp.resolve("two.yml");
            Files.writeString(yml, yaml);
            DoctorReport report = examine(() -> ConfigLoader.load(yml).targets());

            assertThat(reachedTogether).containsEntry("first", true).containsEntry("second", true);
            assertThat(report.of("runtime-api")).extracting(Finding::target).containsExactly("first", "second");
            assertThat(report.findings().get(report.findings().size() - 1).check()).isEqualTo("certbot-hook");
        } finally {
            for (UnixSocketServer server : servers) {
                server.close();
            }
        }
    }

    @Test
    void aConfigurationThatDoesNotLoadFailsAndNothingElseAboutTargetsIsSaid() {
        DoctorReport report = discovered(tmp.resolve("missing.cfg"));

        assertThat(only(report, "config")).isEqualTo(Severity.FAIL);
        assertThat(report.of("config").get(0).message()).contains("missing.cfg");
        assertThat(report.findings()).extracting(Finding::target).containsOnly(Finding.HOST);
        assertThat(report.exitCode()).isEqualTo(ExitCode.CONFIG_ERROR);
    }

    @Test
    void aStoppedHaproxyIsUnreachableWhileTheFileChecksStillRun() {
        haproxy.stop();

        DoctorReport report = discovered();

        assertThat(only(report, "runtime-api")).isEqualTo(Severity.FAIL);
        assertThat(report.of("runtime-api").get(0).fix()).contains("start HAProxy");
        assertThat(report.of("admin-level")).isEmpty();
        assertThat(report.of("version")).isEmpty();
        assertThat(report.of("transaction")).isEmpty();
        assertThat(report.of("paths")).extracting(Finding::severity).containsOnly(Severity.OK);
        assertThat(report.of("writable")).isNotEmpty();
    }

    @Test
    void anOperatorLevelSocketIsBelowAdmin() throws Exception {
        DoctorReport report = fromYaml(defaultTarget().replace(haproxy.adminSocket().toString(),
                haproxy.operatorSocket().toString()));

        assertThat(only(report, "runtime-api")).isEqualTo(Severity.OK);
        assertThat(only(report, "admin-level")).isEqualTo(Severity.FAIL);
        assertThat(report.of("admin-level").get(0).fix()).contains("level admin");
        assertThat(only(report, "version")).as("show info works below admin").isEqualTo(Severity.OK);
        assertThat(report.of("crt-list")).isEmpty();
        assertThat(report.of("transaction")).isEmpty();
        assertThat(report.exitCode()).isEqualTo(ExitCode.CONFIG_ERROR);
    }

    @Test
    void aCrtListHaproxyDoesNotUseIsReported() throws Exception {
        Path other = tmp.resolve("other-crt-list.txt");
        Files.writeString(other, "");

        DoctorReport report = fromYaml(defaultTarget().replace(haproxy.crtList().toString(), other.toString())
                .replace("cert-dir: " + haproxy.certsDir(), "cert-dir: " + haproxy.certsDir()));

        Finding f = report.of("crt-list").get(0);
        assertThat(f.severity()).isEqualTo(Severity.FAIL);
        assertThat(f.message()).contains("no crt-list named " + other).contains(haproxy.crtList().toString());
    }

    @Test
    void aCrtListSpelledDifferentlyFromHaproxyIsReported() throws Exception {
        String doubled = haproxy.crtList().toString().replace("/crt-list.txt", "//crt-list.txt");

        DoctorReport report = fromYaml(defaultTarget().replace(haproxy.crtList().toString(), doubled));

        Finding f = report.of("crt-list").get(0);
        assertThat(f.severity()).isEqualTo(Severity.FAIL);
        assertThat(f.fix()).contains("'" + haproxy.crtList() + "'");
    }

    @Test
    void aBindLineWithOnlyCrtIsReportedWithItsLine() throws Exception {
        Path cfg = tmp.resolve("haproxy.cfg");
        String extra = "frontend plain\n  bind 127.0.0.1:1 ssl crt default.pem\n";
        Files.writeString(cfg, Files.readString(haproxy.config()) + extra);
        long line = Files.readAllLines(cfg).indexOf("  bind 127.0.0.1:1 ssl crt default.pem") + 1;

        DoctorReport report = discovered(cfg);

        List<Finding> warnings = report.of("crt-list").stream().filter(f -> f.severity() == Severity.WARN).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).message()).contains("127.0.0.1:1").contains("line " + line)
                .contains(haproxy.certsDir().resolve("default.pem").toString());
        assertThat(warnings.get(0).fix()).contains("ssl crt-list " + haproxy.crtList());
        assertThat(report.exitCode()).as("a warning alone does not fail").isEqualTo(ExitCode.OK);
    }

    @Test
    void pathsThatDoNotExistOnThisHostAreReportedIncludingHaproxysLoadedCertificates() throws Exception {
        deploy("mapped.example.test");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/certs"));
        String target = defaultTarget() + "paths: [ { haproxy: " + haproxy.dir() + ", host: " + tmp.resolve("elsewhere") + " } ]\n";

        DoctorReport report = fromYaml(target);

        List<Finding> paths = report.of("paths");
        assertThat(paths).filteredOn(f -> f.severity() == Severity.FAIL).extracting(Finding::message).anySatisfy(m ->
                assertThat(m).contains("crt-list " + haproxy.crtList()).contains(tmp.resolve("elsewhere/crt-list.txt").toString()));
        assertThat(paths).filteredOn(f -> f.message().startsWith("cert-dir")).singleElement()
                .extracting(Finding::severity).isEqualTo(Severity.OK);
        assertThat(paths).filteredOn(f -> f.severity() == Severity.FAIL).extracting(Finding::message).anySatisfy(m ->
                assertThat(m).contains("1 of 1 certificate(s)").contains("mapped.example.test.pem")
                        .contains(elsewhere.toString()));
        assertThat(paths.get(0).fix()).contains("paths:");
    }

    @Test
    void anUnwritableCertificateDirectoryFailsAndNoProbeFileIsLeft() throws Exception {
        Path dir = haproxy.certsDir();
        List<String> before = listing(dir);
        makeReadOnly(dir);
        DoctorReport report;
        try {
            report = discovered();
        } finally {
            makeWritable(dir);
        }

        assertThat(report.of("writable")).filteredOn(f -> f.severity() == Severity.FAIL).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("cannot create files in " + dir));
        assertThat(report.of("writable")).filteredOn(f -> f.message().contains("in " + haproxy.dir() + " ")
                || f.message().endsWith("in " + haproxy.dir())).extracting(Finding::severity).containsOnly(Severity.OK);
        assertThat(listing(dir)).isEqualTo(before);
        assertThat(listing(haproxy.dir())).noneMatch(n -> n.startsWith(WritableCheck.PROBE_PREFIX));
    }

    @Test
    void aSymlinkedCrtListFails() throws Exception {
        Path real = haproxy.dir().resolve("real-crt-list.txt");
        Files.move(haproxy.crtList(), real);
        Files.createSymbolicLink(haproxy.crtList(), real);

        Finding f = discovered().of("writable").stream().filter(x -> x.severity() == Severity.FAIL).findFirst().orElseThrow();

        assertThat(f.message()).contains("symbolic link");
    }

    @Test
    void bundlesOthersCanReadFailAndGroupReadableOnesWarnUnlessAGroupIsConfigured() throws Exception {
        Path world = haproxy.certsDir().resolve("world.pem");
        Path group = haproxy.certsDir().resolve("group.pem");
        HaproxyProcess.writePrivate(world, "not a key\n");
        HaproxyProcess.writePrivate(group, "not a key\n");
        Files.setPosixFilePermissions(world, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(group, PosixFilePermissions.fromString("rw-r-----"));

        DoctorReport report = discovered();

        assertThat(report.of("key-modes")).extracting(Finding::severity).containsExactly(Severity.FAIL, Severity.WARN);
        assertThat(report.of("key-modes").get(0).message()).contains("world.pem (0644)").doesNotContain("group.pem");
        assertThat(report.of("key-modes").get(1).message()).contains("group.pem (0640)").doesNotContain("default.pem");

        Files.delete(world);
        DoctorReport withGroup = fromYaml(defaultTarget() + "files: { mode: \"0640\", group: root }\n");
        assertThat(withGroup.of("key-modes")).extracting(Finding::severity).containsExactly(Severity.OK);
    }

    @Test
    void aLeftoverTransactionWarnsOrFailsByPolicy() throws Exception {
        String name = haproxy.defaultCert().toString();
        try (RuntimeApiClient client = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            client.setSslCert(name, haproxy.mint("default.hapcert.test").haproxyPem());
            try {
                Finding warn = discovered().of("transaction").get(0);
                assertThat(warn.severity()).isEqualTo(Severity.WARN);
                assertThat(warn.message()).contains(name);
                assertThat(warn.fix()).contains("abort ssl cert " + name).contains(haproxy.adminSocket().toString());

                Finding fail = fromYaml(defaultTarget() + "on-leftover-transaction: fail\n").of("transaction").get(0);
                assertThat(fail.severity()).isEqualTo(Severity.FAIL);
            } finally {
                client.abortSslCert(name);
            }
        }
        assertThat(only(discovered(), "transaction")).isEqualTo(Severity.OK);
    }

    @Test
    void certbotVersionAndHookAreJudged() throws Exception {
        Path le = tmp.resolve("letsencrypt");
        Files.createDirectories(le.resolve("live/app.example.test"));
        Files.createDirectories(le.resolve("renewal"));
        Path conf = le.resolve("renewal/app.example.test.conf");
        Files.writeString(conf, "version = 2.1.0\n[renewalparams]\nauthenticator = standalone\n");
        Doctor doctor = new Doctor(new Doctor.Settings(le, "certbot"), m -> { });

        DoctorReport noHook = doctor.examine(List::of);
        assertThat(noHook.of("certbot").get(0).severity()).isEqualTo(Severity.WARN);
        assertThat(noHook.of("certbot").get(0).message()).contains("certbot 2.1.0").contains("5.3.0");
        Finding missing = noHook.of("certbot-hook").get(0);
        assertThat(missing.severity()).isEqualTo(Severity.WARN);
        assertThat(missing.message()).contains("app.example.test");
        assertThat(missing.fix()).contains("hapcert install certbot --config-dir " + le);

        Files.writeString(conf, "version = 2.1.0\n[renewalparams]\nrenew_hook = /usr/local/bin/hapcert deploy\n");
        assertThat(only(doctor.examine(List::of), "certbot-hook")).isEqualTo(Severity.OK);
        Files.writeString(conf, "version = 2.1.0\n[renewalparams]\n");

        Path launcher = tmp.resolve("bin/hapcert");
        Files.createDirectories(launcher.getParent());
        Files.writeString(launcher, "#!/bin/sh\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        dev.hapcert.install.CertbotHook hook = new dev.hapcert.install.CertbotHook(le);
        hook.install(launcher, List.of(), Optional.empty());
        assertThat(doctor.examine(List::of).of("certbot-hook").get(0).message()).contains("installed").contains(launcher.toString());

        Files.setPosixFilePermissions(hook.file(), PosixFilePermissions.fromString("rw-r--r--"));
        Finding notExecutable = doctor.examine(List::of).of("certbot-hook").get(0);
        assertThat(notExecutable.severity()).isEqualTo(Severity.FAIL);
        assertThat(notExecutable.message()).contains("not executable");

        Files.setPosixFilePermissions(hook.file(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.delete(launcher);
        Finding gone = doctor.examine(List::of).of("certbot-hook").get(0);
        assertThat(gone.severity()).isEqualTo(Severity.FAIL);
        assertThat(gone.message()).contains(launcher.toString());
    }

    @Test
    void aCheckThatBreaksBecomesAFindingAndTheOthersRun() {
        DoctorReport report = examine(() -> {
            throw new ConfigException("boom in the loader");
        });
        assertThat(report.of("config").get(0).message()).isEqualTo("boom in the loader");
        assertThat(report.of("certbot")).isNotEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /** Deploys one certificate through hapcert itself, so HAProxy's crt-list has an entry. */
    private void deploy(String name) throws Exception {
        TestCertificates.Issued issued = haproxy.mint(name);
        Path fullchain = tmp.resolve(name + ".fullchain.pem");
        Path key = tmp.resolve(name + ".key.pem");
        Files.writeString(fullchain, issued.fullchainPem());
        HaproxyProcess.writePrivate(key, issued.keyPkcs8Pem());
        java.io.StringWriter err = new java.io.StringWriter();
        int code = new dev.hapcert.cli.Cli(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err),
                Map.of()).run("deploy", "--fullchain", fullchain.toString(), "--key", key.toString(),
                "--haproxy-config", haproxy.config().toString());
        assertThat(code).as(err.toString()).isZero();
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Root ignores modes, so for root the directory is made immutable instead (ext4 and most file systems). */
    private static void makeReadOnly(Path dir) throws Exception {
        if (isRoot()) {
            CommandRun r = CommandRun.run(List.of("chattr", "+i", dir.toString()), Map.of(), null, Duration.ofSeconds(10));
            Assumptions.assumeTrue(r.exitCode() == 0, "chattr +i not supported here: " + r.stderr());
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
    }

    private static void makeWritable(Path dir) throws Exception {
        if (isRoot()) {
            CommandRun r = CommandRun.run(List.of("chattr", "-i", dir.toString()), Map.of(), null, Duration.ofSeconds(10));
            assertThat(r.exitCode()).as(r.describe()).isZero();
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
