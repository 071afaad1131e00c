package dev.hapcert.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.error.ExitCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeployReportTest {
    private static CertificateResult r(Outcome o) {
        return new CertificateResult("t", "/c.pem", o, null, "01", "", 1);
    }

    @Test
    void exitCodesAddUp() {
        assertThat(new DeployReport(List.of(r(Outcome.ADDED), r(Outcome.UNCHANGED))).exitCode()).isEqualTo(ExitCode.OK);
        assertThat(new DeployReport(List.of(r(Outcome.UNREACHABLE))).exitCode()).isEqualTo(ExitCode.HAPROXY_UNREACHABLE);
        assertThat(new DeployReport(List.of(r(Outcome.UPDATED), r(Outcome.UNREACHABLE))).exitCode()).isEqualTo(ExitCode.PARTIAL_FAILURE);
        assertThat(new DeployReport(List.of(r(Outcome.HAPROXY_REFUSED), r(Outcome.UNREACHABLE))).exitCode()).isEqualTo(ExitCode.PARTIAL_FAILURE);
        assertThat(new DeployReport(List.of(r(Outcome.REFUSED_OLDER))).exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(new DeployReport(List.of()).exitCode()).isEqualTo(ExitCode.OK);
    }
}
