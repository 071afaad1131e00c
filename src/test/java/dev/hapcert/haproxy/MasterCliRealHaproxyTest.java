package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client through the master CLI of a real master-worker HAProxy 2.6 ({@code haproxy -W -S}). */
class MasterCliRealHaproxyTest {
    private static HaproxyProcess haproxy;

    @BeforeAll
    static void start() {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        haproxy = HaproxyProcess.builder().masterWorker().start();
    }

    @AfterAll
    static void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
    }

    private static RuntimeApiAddress master() {
        return RuntimeApiAddress.unix(haproxy.masterSocket()).asMasterCli();
    }

    @Test
    void showProcListsTheMasterAndItsWorker() throws Exception {
        try (RuntimeApiClient c = RuntimeApiClient.open(master())) {
            ProcList p = c.showProc();
            assertThat(p.master().pid()).isEqualTo(haproxy.pid());
            assertThat(p.workers()).hasSize(1);
            assertThat(p.workers().get(0).version()).isEqualTo(c.routedTo(p.workers().get(0)).version());
            // Addressed by pid, the worker reports its own pid.
            RuntimeApiClient worker = c.routedTo(p.workers().get(0));
            assertThat(worker.showInfo().get("Pid")).isEqualTo(Long.toString(p.workers().get(0).pid()));
        }
    }

    @Test
    void deploysANewCertificateThroughTheMasterCliWithPromptModeAndPayloads() throws Exception {
        String sni = RuntimeApiClientRealHaproxyTest.unique("mcli") + ".example.test";
        String name = haproxy.certsDir().resolve(sni + ".pem").toString();
        TestCertificates.Issued leaf = haproxy.mint(sni);
        try (RuntimeApiClient c = RuntimeApiClient.open(master())) {
            c.newSslCert(name);
            c.setSslCert(name, leaf.haproxyPem());
            c.commitSslCert(name);
            c.addCrtListEntry(haproxy.crtList().toString(), name + " " + sni);
            assertThat(c.showSslCert(name).orElseThrow().serialNumber()).contains(leaf.leaf().getSerialNumber());
            // Many routed commands pipelined on the one master connection, more than are ever in flight at once.
            assertThat(c.pipeline(java.util.Collections.nCopies(RuntimeApiConnection.MAX_IN_FLIGHT + 100,
                    Command.of("show", "ssl", "cert")))).allSatisfy(r -> assertThat(r.text()).contains(name));
        }
        assertThat(haproxy.servedCertificate(sni).getSerialNumber()).isEqualTo(leaf.leaf().getSerialNumber());
    }

    @Test
    void aProcessThatIsGoneIsReportedClearly() throws Exception {
        try (RuntimeApiClient c = RuntimeApiClient.open(master())) {
            ProcList.Process gone = new ProcList.Process(999_999_999L, "worker", 0, 0, "", "");
            // "Can't find the target PID matching the prefix '@!999999999'": then 2.6.12 closes the connection, 3.0.11
            // prints its prompt and leaves what follows unanswered.
            assertThatThrownBy(() -> c.routedTo(gone).version())
                    .isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("has no process for '@!999999999 show info'")
                    .hasMessageContaining("show proc");
        }
    }

    @Test
    void aWorkerSocketIsNotAMasterCli() throws Exception {
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            assertThatThrownBy(c::showProc).isInstanceOf(HaproxyRefusedException.class)
                    .hasMessageContaining("does not answer 'show proc' like a master CLI");
            assertThatThrownBy(() -> c.routedTo(new ProcList.Process(1, "worker", 0, 0, "", "")))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
