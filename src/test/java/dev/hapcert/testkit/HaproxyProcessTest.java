package dev.hapcert.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HaproxyProcessTest {
    @BeforeAll
    static void enabled() {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
    }

    @Test
    void servesTheDefaultCertificateSurvivesARestartAndLeavesNothingBehind() {
        ProcessHandle handle;
        java.nio.file.Path dir;
        try (HaproxyProcess h = HaproxyProcess.builder().crtBase().start()) {
            dir = h.dir();
            assertThat(h.servedCertificate("unknown.example.test").getSubjectX500Principal().getName())
                    .isEqualTo("CN=default.hapcert.test");
            long before = h.pid();
            h.restart();
            assertThat(h.pid()).isNotEqualTo(before);
            assertThat(h.isRunning()).isTrue();
            assertThat(h.config()).content().contains("crt-base " + h.certsDir());
            handle = ProcessHandle.of(h.pid()).orElseThrow();
        }
        assertThat(handle.isAlive()).isFalse();
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void masterWorkerStopReapsTheWorkers() {
        List<ProcessHandle> all;
        try (HaproxyProcess h = HaproxyProcess.builder().masterWorker().start()) {
            all = new java.util.ArrayList<>(ProcessHandle.of(h.pid()).orElseThrow().descendants().toList());
            assertThat(all).isNotEmpty();
            all.add(ProcessHandle.of(h.pid()).orElseThrow());
            assertThat(Files.exists(h.masterSocket())).isTrue();
        }
        assertThat(all).noneMatch(ProcessHandle::isAlive);
    }
}
