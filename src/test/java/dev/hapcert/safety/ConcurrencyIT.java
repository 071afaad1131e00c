package dev.hapcert.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

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
        return List.of(new DocRow("concurrent-deploys", "concurrency", DIFFERENT + " deploys of different certificates"
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
