package dev.hapcert.deploy;

import java.util.Objects;

/**
 * One result of {@link ContainerDiagnosis}: what was checked, how it went, and what to do about it.
 *
 * @param check what was checked
 * @param status how it went
 * @param detail what was found, for people (never key material)
 * @param fix what to do, empty when nothing is to be done
 */
public record ContainerFinding(Check check, Status status, String detail, String fix) {
    /** The checks, in the order they run; a failed one skips those that depend on it. */
    public enum Check { ENGINE, CONTAINER, MOUNTS, TOOLS, SOCKET }

    public enum Status { OK, WARN, FAIL, SKIPPED }

    public ContainerFinding {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(status, "status");
        detail = detail == null ? "" : detail;
        fix = fix == null ? "" : fix;
    }

    static ContainerFinding ok(Check check, String detail) {
        return new ContainerFinding(check, Status.OK, detail, "");
    }

    static ContainerFinding skipped(Check check, String because) {
        return new ContainerFinding(check, Status.SKIPPED, because, "");
    }
}
