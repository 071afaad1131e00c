package dev.hapcert.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.store.CrashPoint;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HAProxy restarted or reloaded in the middle of a deploy: the packaged hapcert pauses at a named step (the test
 * pause switch of {@link CrashPoint}), the test restarts HAProxy (stop, start on the same files) or reloads it
 * through the master CLI, then lets hapcert go on. The deploy must either succeed, and then the HAProxy now running
 * must serve the new certificate, or fail with a clear message; disk stays valid for a restart; a rerun converges.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestartIT {
    /** What happens when HAProxy is restarted or reloaded at {@code point}: the exit code asserted. */
    record Interruption(String point, boolean reload, int exit, String why) {
        String name() {
            return (reload ? "reload-" : "restart-") + point;
        }

        @Override
        public String toString() {
            return name();
        }
    }

    static List<Interruption> interruptions() {
        return List.of(
                new Interruption("after-set-ssl-cert", false, 5, "the commit finds the connection closed; the"
                        + " previous file is kept and the restarted HAProxy serves the previous certificate"),
                new Interruption("after-rename", false, 5, "the commit finds the connection closed; the previous"
                        + " file is put back, the restarted HAProxy serves the new one it read"),
                new Interruption("after-commit", false, 0, "the restarted HAProxy read the new file; verified on a"
                        + " new connection"),
                new Interruption("after-set-ssl-cert", true, 7, "the old worker took the commit, the new worker read"
                        + " the old file: verification on a new connection says so"),
                new Interruption("after-rename", true, 0, "the new worker read the new file"),
                new Interruption("after-commit", true, 0, "the new worker read the new file"));
    }

    static List<DocRow> docRows() {
        return interruptions().stream().map(i -> new DocRow(i.name(), "HAProxy restarted or reloaded",
                "HAProxy " + (i.reload() ? "reloaded (master CLI `reload`)" : "restarted") + " while hapcert waits "
                        + i.point().replace('-', ' ') + " of an update",
                "exit " + i.exit() + ": " + i.why() + "; `haproxy -c` passes; the rerun converges")).toList();
    }

    private Sandbox s;
    private TestCertificates.Issued siteNow;

    @BeforeAll
    void start() {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        s = new Sandbox(true);
        siteNow = s.good;
    }

    @AfterAll
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interruptions")
    void interrupted(Interruption i) throws Exception {
        TestCertificates.Issued fresh = s.issue(Sandbox.GOOD_SNI);
        Path lineage = s.lineage("restart/" + i.name() + "/" + Sandbox.GOOD_NAME, fresh);
        List<String> args = List.of("deploy", "--config", s.config().toString(), "--lineage", lineage.toString());
        Path flag = s.inputs.resolve("paused-" + i.name());
        Launcher.Started run = Launcher.start(args, Map.of(CrashPoint.PAUSE_ENVIRONMENT, i.point(),
                CrashPoint.PAUSE_FILE_ENVIRONMENT, flag.toString()), "022", null);
        Sandbox.Run r = Launcher.whilePaused(run, flag, () -> {
            if (i.reload()) {
                reloadAndWait();
            } else {
                s.haproxy.restart();
            }
        });
        s.assertNoKeyMaterial("output", r.out() + r.err());
        assertThat(r.exit()).as(i.name() + ": " + r.describe()).isEqualTo(i.exit());
        if (r.exit() == 0) {
            // Success is a promise about the HAProxy running now, not the one that was replaced.
            s.assertServing(Sandbox.GOOD_SNI, fresh);
        } else {
            assertThat(r.out() + r.err()).as("a clear message").containsAnyOf("Runtime API", "HAProxy");
            assertThat(s.haproxy.servedCertificate(Sandbox.GOOD_SNI).getSerialNumber())
                    .isIn(siteNow.leaf().getSerialNumber(), fresh.leaf().getSerialNumber());
        }
        s.assertRestartable();

        Sandbox.Run rerun = Launcher.run(args, Map.of(), "022");
        assertThat(rerun.exit()).as("rerun: " + rerun.describe()).isZero();
        s.assertServing(Sandbox.GOOD_SNI, fresh);
        siteNow = fresh;
        s.assertNoTransaction();
        s.assertRestartable();
        assertThat(s.crtListLines(TargetCases.certName(s, Sandbox.GOOD_NAME))).isEqualTo(1);
    }

    /**
     * Reloads through the master CLI and waits until a new worker runs and answers on the admin socket, so the
     * deploy goes on against a HAProxy that has already read the files.
     */
    private void reloadAndWait() throws Exception {
        RuntimeApiAddress masterCli = RuntimeApiAddress.unix(s.haproxy.masterSocket()).asMasterCli();
        List<Long> before = workers(masterCli);
        try (RuntimeApiClient master = RuntimeApiClient.open(masterCli)) {
            master.reloadMaster();
        }
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                List<Long> now = workers(masterCli);
                if (!now.isEmpty() && now.stream().noneMatch(before::contains)) {
                    try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(s.haproxy.adminSocket()))) {
                        c.version();
                        return;
                    }
                }
            } catch (dev.hapcert.error.HapcertException e) {
                // The master re-executes itself during a reload; ask again.
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no new worker within 15 s of the reload");
    }

    private static List<Long> workers(RuntimeApiAddress masterCli) throws dev.hapcert.error.HapcertException {
        try (RuntimeApiClient master = RuntimeApiClient.open(masterCli)) {
            return master.showProc().workers().stream().map(dev.hapcert.haproxy.ProcList.Process::pid).toList();
        }
    }
}
