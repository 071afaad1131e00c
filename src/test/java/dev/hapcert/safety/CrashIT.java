package dev.hapcert.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hapcert.store.CrashPoint;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crashes at every step: the packaged hapcert kills itself ({@link CrashPoint}, a halt with no cleanup) at a named
 * step of adding a new certificate and of updating a served one, under umask 000, 022 and 077, with files
 * configured 0640 group nogroup. After each crash: HAProxy serves a valid certificate (the old or the new one, as the
 * table says), {@code haproxy -c} passes on what is on disk, no file is wider than configured (temp files
 * owner-only), another certificate can be deployed at once, and the same deploy run again converges.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashIT {
    static final String FILES = "files: { mode: \"0640\", group: nogroup }";

    /** A crash at {@code point} while adding a new name or updating a served one; what is served right after. */
    record Crash(String point, boolean update, String umask, boolean servesNewAfterCrash) {
        String name() {
            return "crash-" + point + (update ? "-update" : "-add");
        }

        DocRow row() {
            return new DocRow(name(), "crashes", "hapcert killed " + point.replace('-', ' ') + " while "
                    + (update ? "updating a served certificate" : "adding a new certificate") + " (umask " + umask + ")",
                    "exit 137; HAProxy serves the " + (servesNewAfterCrash ? "new" : "previous")
                            + " certificate, `haproxy -c` passes, modes within 0640; the rerun converges");
        }
    }

    static List<Crash> crashes() {
        String[] umasks = {"000", "022", "077"};
        List<Crash> all = new ArrayList<>();
        String[] points = {"after-set-ssl-cert", "after-temp-write", "after-rename", "after-commit", "before-crt-list-update"};
        int u = 0;
        for (boolean update : new boolean[] {false, true}) {
            for (String p : points) {
                // A new name is served only once it is in the crt-list; an update is served once committed.
                boolean servesNew = update ? p.equals("after-commit") || p.equals("before-crt-list-update")
                        : p.equals("before-crt-list-update");
                all.add(new Crash(p, update, umasks[u++ % umasks.length], servesNew));
            }
        }
        return all;
    }

    static List<DocRow> docRows() {
        List<DocRow> rows = new ArrayList<>(crashes().stream().map(Crash::row).toList());
        rows.add(new DocRow("crash-between-targets", "crashes", "hapcert killed between two HAProxy targets that"
                + " share a lock file (so one runs after the other)", "exit 137; the first target serves the new"
                + " certificate, the second the previous one; the rerun converges on both"));
        rows.add(new DocRow("crash-while-targets-deploy-at-once", "crashes", "hapcert killed when the first of two"
                + " HAProxy targets deployed at once is done", "exit 137; the finished target serves the new certificate,"
                + " the other the previous or the new one; `haproxy -c` passes for both; the rerun converges on both"));
        rows.add(new DocRow("crash-leftover-does-not-block", "crashes", "after a crash that left a transaction open,"
                        + " a deploy of another certificate", "succeeds: the abandoned transaction is aborted after a"
                        + " 2 s grace period"));
        return rows;
    }

    private Sandbox s;
    private TestCertificates.Issued siteNow;

    @BeforeAll
    void start() {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        s = new Sandbox();
        s.writeConfig("runtime-api: " + s.haproxy.adminSocket(), FILES);
        siteNow = s.good;
    }

    @AfterAll
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("crashes")
    void crashThenRerun(Crash crash) throws Exception {
        String name = crash.update() ? Sandbox.GOOD_NAME : crash.name();
        String sni = crash.update() ? Sandbox.GOOD_SNI : name + ".safety.test";
        BigInteger before = s.haproxy.servedCertificate(sni).getSerialNumber();
        TestCertificates.Issued fresh = s.issue(sni);
        Path lineage = s.lineage("crash/" + crash.name() + "/" + name, fresh);
        List<String> args = List.of("deploy", "--config", s.config().toString(), "--lineage", lineage.toString());

        Sandbox.Run crashed = Launcher.run(args, Map.of(CrashPoint.ENVIRONMENT, crash.point()), crash.umask());
        s.assertNoKeyMaterial("output of the crashed run", crashed.out() + crashed.err());
        assertThat(crashed.exit()).as(crashed.describe()).isEqualTo(CrashPoint.EXIT_STATUS);
        BigInteger served = s.haproxy.servedCertificate(sni).getSerialNumber();
        assertThat(served).as("served right after the crash")
                .isEqualTo(crash.servesNewAfterCrash() ? fresh.leaf().getSerialNumber() : before);
        s.assertServing(Sandbox.GOOD_SNI, crash.update() && crash.servesNewAfterCrash() ? fresh : siteNow);
        s.assertRestartable();
        s.assertModesWithin("rw-r-----", "nogroup");

        if (crash.point().equals("after-set-ssl-cert") && !crash.update()) {
            // The transaction this crash left open must not block a deploy of something else.
            TestCertificates.Issued other = s.issue("bystander.safety.test");
            Sandbox.Run bystander = Launcher.run(List.of("deploy", "--config", s.config().toString(), "--lineage",
                    s.lineage("crash/bystander/bystander", other).toString()), Map.of(), "022");
            assertThat(bystander.exit()).as("crash-leftover-does-not-block: " + bystander.describe()).isZero();
            s.assertServing("bystander.safety.test", other);
        }

        Sandbox.Run rerun = Launcher.run(args, Map.of(), crash.umask());
        s.assertNoKeyMaterial("output of the rerun", rerun.out() + rerun.err());
        assertThat(rerun.exit()).as(rerun.describe()).isZero();
        s.assertServing(sni, fresh);
        if (crash.update()) {
            siteNow = fresh;
        }
        s.assertServing(Sandbox.GOOD_SNI, siteNow);
        s.assertNoTransaction();
        s.assertRestartable();
        s.assertModesWithin("rw-r-----", "nogroup");
        assertThat(s.crtListLines(TargetCases.certName(s, name))).as("crt-list lines for " + name).isEqualTo(1);
        try (var files = Files.list(s.haproxy.certsDir())) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith(".hapcert-") && p.getFileName().toString().endsWith(".tmp")).toList())
                    .as("temp files after the rerun").isEmpty();
        }
    }

    @Test
    void crashBetweenTargets() throws Exception {
        try (HaproxyProcess second = HaproxyProcess.builder().crtBase().start()) {
            // One lock file for both: the targets then go one after the other, and the crash falls between them.
            Path config = s.inputs.resolve("two-targets.yml");
            Files.writeString(config, "defaults:\n  " + FILES + "\ntargets:\n" + target("first", s.haproxy)
                    + target("second", second).replace(second.dir().resolve("hapcert.lock").toString(),
                            s.haproxy.dir().resolve("hapcert.lock").toString()));
            TestCertificates.Issued fresh = s.issue("pair.safety.test");
            Path lineage = s.lineage("crash/between/pair", fresh);
            List<String> args = List.of("deploy", "--config", config.toString(), "--lineage", lineage.toString());
            BigInteger secondBefore = second.servedCertificate("pair.safety.test").getSerialNumber();

            Sandbox.Run crashed = Launcher.run(args, Map.of(CrashPoint.ENVIRONMENT, "after-target"), "000");
            assertThat(crashed.exit()).as(crashed.describe()).isEqualTo(CrashPoint.EXIT_STATUS);
            s.assertServing("pair.safety.test", fresh);
            assertThat(second.servedCertificate("pair.safety.test").getSerialNumber()).isEqualTo(secondBefore);
            s.assertRestartable();

            Sandbox.Run rerun = Launcher.run(args, Map.of(), "000");
            assertThat(rerun.exit()).as(rerun.describe()).isZero();
            s.assertServing("pair.safety.test", fresh);
            assertThat(second.servedCertificate("pair.safety.test").getSerialNumber())
                    .isEqualTo(fresh.leaf().getSerialNumber());
        }
    }

    @Test
    void crashWhileTargetsDeployAtOnce() throws Exception {
        try (HaproxyProcess second = HaproxyProcess.builder().crtBase().start()) {
            Path config = s.inputs.resolve("two-at-once.yml");
            Files.writeString(config, "defaults:\n  " + FILES + "\ntargets:\n" + target("first", s.haproxy)
                    + target("second", second));
            TestCertificates.Issued fresh = s.issue("both.safety.test");
            Path lineage = s.lineage("crash/at-once/both", fresh);
            List<String> args = List.of("deploy", "--config", config.toString(), "--lineage", lineage.toString());
            BigInteger before = s.haproxy.servedCertificate("both.safety.test").getSerialNumber();
            BigInteger secondBefore = second.servedCertificate("both.safety.test").getSerialNumber();

            // The first target to finish kills the process: the other is anywhere in its own run.
            Sandbox.Run crashed = Launcher.run(args, Map.of(CrashPoint.ENVIRONMENT, "after-target"), "022");
            assertThat(crashed.exit()).as(crashed.describe()).isEqualTo(CrashPoint.EXIT_STATUS);
            BigInteger first = s.haproxy.servedCertificate("both.safety.test").getSerialNumber();
            BigInteger other = second.servedCertificate("both.safety.test").getSerialNumber();
            assertThat(first).isIn(before, fresh.leaf().getSerialNumber());
            assertThat(other).isIn(secondBefore, fresh.leaf().getSerialNumber());
            assertThat(List.of(first, other)).as("one target finished before the crash")
                    .contains(fresh.leaf().getSerialNumber());
            s.assertRestartable();
            assertRestartable(second);

            Sandbox.Run rerun = Launcher.run(args, Map.of(), "022");
            assertThat(rerun.exit()).as(rerun.describe()).isZero();
            s.assertServing("both.safety.test", fresh);
            assertThat(second.servedCertificate("both.safety.test").getSerialNumber())
                    .isEqualTo(fresh.leaf().getSerialNumber());
            assertRestartable(second);
        }
    }

    private static void assertRestartable(HaproxyProcess h) {
        dev.hapcert.testkit.CommandRun check = dev.hapcert.testkit.CommandRun.run(List.of(HaproxyProcess.HAPROXY.toString(),
                "-c", "-f", h.config().toString()), Map.of(), h.dir(), java.time.Duration.ofSeconds(60));
        assertThat(check.exitCode()).as("haproxy -c on what is on disk: " + check.describe()).isZero();
    }

    static String target(String name, HaproxyProcess h) {
        return "  - name: " + name + "\n    runtime-api: " + h.adminSocket() + "\n    crt-list: " + h.crtList()
                + "\n    cert-dir: " + h.certsDir() + "\n    lock-file: " + h.dir().resolve("hapcert.lock") + "\n";
    }
}
