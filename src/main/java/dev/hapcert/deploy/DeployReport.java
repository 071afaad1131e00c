package dev.hapcert.deploy;

import dev.hapcert.error.ExitCode;
import java.util.List;

/** Everything one run did, per certificate and target, and the exit code it adds up to. */
public record DeployReport(List<CertificateResult> results) {
    public DeployReport {
        results = List.copyOf(results);
    }

    /**
     * 0 when everything succeeded; the failure's own code when nothing succeeded and all failures agree;
     * {@link ExitCode#PARTIAL_FAILURE} when some succeeded and some failed, or failures of several kinds.
     */
    public ExitCode exitCode() {
        boolean anySuccess = results.stream().anyMatch(r -> r.outcome().success());
        List<ExitCode> failures = results.stream().filter(r -> !r.outcome().success())
                .map(r -> r.outcome().exitCode()).distinct().toList();
        if (failures.isEmpty()) {
            return ExitCode.OK;
        }
        if (!anySuccess && failures.size() == 1) {
            return failures.get(0);
        }
        return ExitCode.PARTIAL_FAILURE;
    }
}
