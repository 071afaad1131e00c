package dev.hapcert.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hapcert.store.CrashPoint;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * 22 packaged hapcert processes started at once against one HAProxy: 20 different certificates and the same
 * certificate twice. All must end with exit 0, every name must serve its own certificate (a handshake each), every
 * crt-list line must exist exactly once, on disk and in HAProxy. Meanwhile a watcher polls the certificate
 * directory: no bundle or temp file may ever be seen with a mode wider than configured (0640, group bits only with
 * the configured group), whatever the umask (000 here).
 */
class ConcurrencyIT {
    static final int DIFFERENT = 20;

    static List<DocRow> docRows() {
        return List.of(new DocRow("targets-at-once", "concurrency", "a deploy to two HAProxy targets, one of them"
                        + " held in its transaction (paused after set ssl cert)", "the other target serves the new"
                        + " certificate meanwhile; then exit 0, both serve it, the report lists the targets in"
                        + " configuration order"),
                new DocRow("targets-sharing-files", "concurrency", "deploys to two HAProxy instances that read one"
                        + " certificate directory and crt-list, each its own target with its own lock; the first"
                        + " one held after writing its bundle", "the other touches nothing and serves nothing new"
                        + " meanwhile; then exit 0, both serve the new certificate, its crt-list line exactly once;"
                        + " `haproxy -c` passes"),
                new DocRow("processes-sharing-files", "concurrency", "two hapcert processes, each deploying to one of"
                        + " two HAProxy instances that read one certificate directory and crt-list (each its own"
                        + " configuration and lock); the first held after writing its bundle", "the second waits (its"
                        + " HAProxy serves nothing new meanwhile) instead of removing the first one's temp file; then"
                        + " both exit 0, each HAProxy serves its certificate, each crt-list line exactly once;"
                        + " `haproxy -c` passes"),
                new DocRow("concurrent-deploys", "concurrency", DIFFERENT + " deploys of different certificates"
                        + " and 2 of the same one, started at once against one HAProxy (umask 000)",
                "all exit 0; each of the 21 names serves its own certificate (handshake each); each crt-list line"
                        + " exactly once on disk and in HAProxy; `haproxy -c` passes"),
                new DocRow("modes-during-deploys", "secrets at rest", "the certificate directory polled while the 22"
                        + " deploys run", "no bundle or temp file ever seen wider than 0640, nor with group bits"
                        + " before its group is set"));
    }

    @Test
    void manyAtOnce() throws Exception {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        try (Sandbox s = new Sandbox()) {
            s.writeConfig("runtime-api: " + s.haproxy.adminSocket(), CrashIT.FILES);
            List<String> names = new ArrayList<>();
            List<TestCertificates.Issued> certs = new ArrayList<>();
            List<Path> lineages = new ArrayList<>();
            for (int i = 1; i <= DIFFERENT; i++) {
                String name = String.format("c%02d", i);
                TestCertificates.Issued issued = s.issue(name + ".safety.test");
                names.add(name);
                certs.add(issued);
                lineages.add(s.lineage("concurrent/" + name, issued));
            }
            TestCertificates.Issued shared = s.issue("shared.safety.test");
            Path sharedLineage = s.lineage("concurrent/shared", shared);
            lineages.add(sharedLineage);
            lineages.add(sharedLineage);

            Set<String> violations = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> watch(s.haproxy.certsDir(), running, violations), "mode-watcher");
            watcher.start();
            List<Launcher.Started> started = new ArrayList<>();
            try {
                for (Path lineage : lineages) {
                    started.add(Launcher.start(List.of("deploy", "--config", s.config().toString(), "--lineage",
                            lineage.toString()), Map.of(), "000", null));
                }
                for (Launcher.Started p : started) {
                    Sandbox.Run r = p.await();
                    s.assertNoKeyMaterial("output", r.out() + r.err());
                    assertThat(r.exit()).as(r.describe()).isZero();
                }
            } finally {
                started.forEach(p -> p.process().destroyForcibly());
                running.set(false);
                watcher.join();
            }
            assertThat(violations).as("files seen with a mode wider than configured").isEmpty();

            for (int i = 0; i < DIFFERENT; i++) {
                s.assertServing(names.get(i) + ".safety.test", certs.get(i));
            }
            s.assertServing("shared.safety.test", shared);
            s.assertServing(Sandbox.GOOD_SNI, s.good);
            List<String> all = new ArrayList<>(names);
            all.add("shared");
            all.add(Sandbox.GOOD_NAME);
            List<String> runtime = s.runtimeSnapshot();
            for (String name : all) {
                String path = TargetCases.certName(s, name);
                assertThat(s.crtListLines(path)).as("crt-list file lines for " + name).isEqualTo(1);
                assertThat(runtime.stream().filter(l -> l.startsWith("crt-list: ") && l.contains("certificate=" + path + ",")))
                        .as("HAProxy's crt-list entries for " + name).hasSize(1);
            }
            s.assertNoTransaction();
            s.assertRestartable();
            s.assertModesWithin("rw-r-----", "nogroup");
        }
    }

    @Test
    void targetsAtOnce() throws Exception {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        try (Sandbox s = new Sandbox(); HaproxyProcess second = HaproxyProcess.builder().crtBase().start()) {
            Path config = targets(s.inputs.resolve("at-once.yml"), CrashIT.target("first", s.haproxy),
                    CrashIT.target("second", second));
            TestCertificates.Issued fresh = s.issue("atonce.safety.test");
            Path lineage = s.lineage("at-once/atonce", fresh);
            Path flag = s.inputs.resolve("paused-at-once");
            Launcher.Started run = Launcher.start(List.of("deploy", "--config", config.toString(), "--lineage",
                    lineage.toString()), Map.of(CrashPoint.PAUSE_ENVIRONMENT, "after-set-ssl-cert",
                    CrashPoint.PAUSE_FILE_ENVIRONMENT, flag.toString()), "022", null);
            Sandbox.Run r = Launcher.whilePaused(run, flag, () -> {
                // One target waits with its certificate set but not committed; the other goes all the way meanwhile.
                // (The pause lasts a minute at most: one target after the other would serve nothing new in 30 s.)
                long deadline = System.currentTimeMillis() + 30_000;
                while (!serves(s.haproxy, fresh) && !serves(second, fresh)) {
                    assertThat(System.currentTimeMillis()).as("one target served while the other is paused")
                            .isLessThan(deadline);
                    Thread.sleep(50);
                }
                assertThat(serves(s.haproxy, fresh) && serves(second, fresh)).as("the paused target served already")
                        .isFalse();
            });
            s.assertNoKeyMaterial("output", r.out() + r.err());
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(serves(s.haproxy, fresh)).isTrue();
            assertThat(serves(second, fresh)).isTrue();
            List<String> targets = r.out().lines().map(l -> l.split("\\s+")[0]).distinct().toList();
            assertThat(targets).as("targets in the report, in order").containsExactly("first", "second");
        }
    }

    @Test
    void targetsSharingFiles() throws Exception {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        try (Sandbox s = new Sandbox();
             HaproxyProcess second = HaproxyProcess.builder().crtBase().filesOf(s.haproxy).start()) {
            // Each its own target with its own lock, so both run at once: only the files they share order them.
            Path config = targets(s.inputs.resolve("sharing.yml"), CrashIT.target("first", s.haproxy),
                    CrashIT.target("second", second));
            for (int round = 1; round <= 3; round++) {
                TestCertificates.Issued fresh = s.issue("shared" + round + ".safety.test");
                List<String> args = List.of("deploy", "--config", config.toString(), "--lineage",
                        s.lineage("sharing/shared" + round, fresh).toString());
                Sandbox.Run r;
                if (round == 1) {
                    // The first target to write its bundle waits there; the other must not touch the shared files
                    // meanwhile (it would take the half-written change for a stale one), so neither serves it yet.
                    Path flag = s.inputs.resolve("paused-sharing");
                    Launcher.Started run = Launcher.start(args, Map.of(CrashPoint.PAUSE_ENVIRONMENT, "after-temp-write",
                            CrashPoint.PAUSE_FILE_ENVIRONMENT, flag.toString()), "022", null);
                    r = Launcher.whilePaused(run, flag, () -> {
                        long watchUntil = System.currentTimeMillis() + 1_500;
                        while (System.currentTimeMillis() < watchUntil) {
                            assertThat(serves(s.haproxy, fresh) || serves(second, fresh))
                                    .as("a target served while the other was half-way through the shared files").isFalse();
                            Thread.sleep(100);
                        }
                    });
                } else {
                    r = Launcher.run(args, Map.of(), "022");
                }
                s.assertNoKeyMaterial("output", r.out() + r.err());
                assertThat(r.exit()).as(r.describe()).isZero();
                assertThat(serves(s.haproxy, fresh)).as("first serves round " + round).isTrue();
                assertThat(serves(second, fresh)).as("second serves round " + round).isTrue();
                assertThat(s.crtListLines(TargetCases.certName(s, "shared" + round))).as("crt-list lines").isEqualTo(1);
            }
            s.assertRestartable();
            s.assertModesWithin("rw-r-----", "nogroup");
        }
    }

    @Test
    void processesSharingFiles() throws Exception {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        try (Sandbox s = new Sandbox();
             HaproxyProcess second = HaproxyProcess.builder().crtBase().filesOf(s.haproxy).start()) {
            // One hapcert process per HAProxy, each with its own configuration and lock: a hook deploying to one
            // instance while another run deploys to the other. Only the directory they share orders them.
            Path firstConfig = targets(s.inputs.resolve("first-only.yml"), CrashIT.target("first", s.haproxy));
            Path secondConfig = targets(s.inputs.resolve("second-only.yml"), CrashIT.target("second", second));
            TestCertificates.Issued forFirst = s.issue("one.safety.test");
            TestCertificates.Issued forSecond = s.issue("other.safety.test");
            Path flag = s.inputs.resolve("paused-first");
            Launcher.Started first = Launcher.start(List.of("deploy", "--config", firstConfig.toString(), "--lineage",
                    s.lineage("processes/one", forFirst).toString()), Map.of(CrashPoint.PAUSE_ENVIRONMENT,
                    "after-temp-write", CrashPoint.PAUSE_FILE_ENVIRONMENT, flag.toString()), "022", null);
            Launcher.Started[] other = new Launcher.Started[1];
            try {
                Sandbox.Run r = Launcher.whilePaused(first, flag, () -> {
                    // The first holds its temp file in the shared directory: the other process must wait, neither
                    // taking that file for a crashed run's nor writing the crt-list file beside it.
                    other[0] = Launcher.start(List.of("deploy", "--config", secondConfig.toString(), "--lineage",
                            s.lineage("processes/other", forSecond).toString()), Map.of(), "022", null);
                    long watchUntil = System.currentTimeMillis() + 3_000;
                    while (System.currentTimeMillis() < watchUntil) {
                        assertThat(other[0].process().isAlive()).as("the other process waits for the shared files").isTrue();
                        assertThat(serves(second, forSecond)).as("the other served while the first held the files").isFalse();
                        Thread.sleep(100);
                    }
                });
                s.assertNoKeyMaterial("output", r.out() + r.err());
                assertThat(r.exit()).as(r.describe()).isZero();
                Sandbox.Run o = other[0].await();
                s.assertNoKeyMaterial("output", o.out() + o.err());
                assertThat(o.exit()).as(o.describe()).isZero();
            } finally {
                if (other[0] != null) {
                    other[0].process().destroyForcibly();
                }
            }
            assertThat(serves(s.haproxy, forFirst)).as("first serves its certificate").isTrue();
            assertThat(serves(second, forSecond)).as("second serves its certificate").isTrue();
            assertThat(s.crtListLines(TargetCases.certName(s, "one"))).as("crt-list lines for one").isEqualTo(1);
            assertThat(s.crtListLines(TargetCases.certName(s, "other"))).as("crt-list lines for other").isEqualTo(1);
            s.assertRestartable();
            s.assertModesWithin("rw-r-----", "nogroup");
        }
    }

    /** Writes a hapcert.yml of {@code targets} ({@link CrashIT#target}) with the safety cases' file settings. */
    private static Path targets(Path config, String... targets) throws IOException {
        return Files.writeString(config, "defaults:\n  " + CrashIT.FILES + "\ntargets:\n" + String.join("", targets));
    }

    /** Whether {@code h} serves {@code expected} for the name it was issued for. */
    private static boolean serves(HaproxyProcess h, TestCertificates.Issued expected) throws Exception {
        String sni = expected.leaf().getSubjectAlternativeNames().iterator().next().get(1).toString();
        return h.servedCertificate(sni).getSerialNumber().equals(expected.leaf().getSerialNumber());
    }

    /** Polls modes as fast as it can; a file with group or other bits must already have the configured group. */
    private static void watch(Path dir, AtomicBoolean running, Set<String> violations) {
        Set<PosixFilePermission> allowed = java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----");
        while (running.get()) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    try {
                        var a = Files.readAttributes(f, java.nio.file.attribute.PosixFileAttributes.class,
                                LinkOption.NOFOLLOW_LINKS);
                        boolean groupBits = a.permissions().stream().anyMatch(p -> p.name().startsWith("GROUP"));
                        if (!allowed.containsAll(a.permissions()) || groupBits && !a.group().getName().equals("nogroup")) {
                            violations.add(f.getFileName() + " " + java.nio.file.attribute.PosixFilePermissions
                                    .toString(a.permissions()) + " group " + a.group().getName());
                        }
                    } catch (IOException gone) {
                        // Renamed or deleted meanwhile.
                    }
                }
            } catch (IOException e) {
                violations.add("cannot list " + dir + ": " + e);
            }
        }
    }
}
