package dev.hapcert.doctor;

import dev.hapcert.deploy.ContainerDiagnosis;
import dev.hapcert.deploy.ContainerFinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A container target: the engine answers, the container runs, its mounts map the crt-list and certificate directory
 * to writable host directories, the image can reach the stats socket, and HAProxy answers there at level admin.
 * The diagnosis itself lives with the container connector, so doctor checks exactly what deploy will use.
 */
final class ContainerCheck implements TargetCheck {
    @Override
    public String id() {
        return "container";
    }

    @Override
    public List<Finding> run(TargetProbe probe) {
        if (probe.target().docker().isEmpty()) {
            return List.of();
        }
        List<Finding> findings = new ArrayList<>();
        for (ContainerFinding f : ContainerDiagnosis.diagnose(probe.target(), System.getenv())) {
            String check = id() + "-" + f.check().name().toLowerCase(Locale.ROOT);
            switch (f.status()) {
                case OK -> findings.add(Finding.ok(check, probe.name(), f.detail()));
                case WARN -> findings.add(Finding.warn(check, probe.name(), f.detail(), f.fix()));
                case FAIL -> findings.add(Finding.fail(check, probe.name(), f.detail(), f.fix()));
                case SKIPPED -> {
                    // Follows from a failure already reported with its fix.
                }
            }
        }
        return findings;
    }
}
