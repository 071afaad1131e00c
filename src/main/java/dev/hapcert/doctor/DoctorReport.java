package dev.hapcert.doctor;

import dev.hapcert.error.ExitCode;
import java.util.List;

/** Every finding of one doctor run, in the order the checks ran. */
public record DoctorReport(List<Finding> findings) {
    public DoctorReport {
        findings = List.copyOf(findings);
    }

    /** {@link ExitCode#CONFIG_ERROR} when anything failed, else {@link ExitCode#OK} (warnings do not fail). */
    public ExitCode exitCode() {
        return count(Severity.FAIL) > 0 ? ExitCode.CONFIG_ERROR : ExitCode.OK;
    }

    public long count(Severity severity) {
        return findings.stream().filter(f -> f.severity() == severity).count();
    }

    /** The findings of one check, for tests and scripts. */
    public List<Finding> of(String check) {
        return findings.stream().filter(f -> f.check().equals(check)).toList();
    }
}
