package dev.hapcert.doctor;

import java.util.List;

/**
 * The socket is at {@code level admin}: certificate commands need it. {@code show ssl crt-list} is the probe; below
 * admin HAProxy 2.6 answers "Permission denied" (seen on 2.6.12 at levels operator and user).
 */
final class AdminLevelCheck implements TargetCheck {
    @Override
    public String id() {
        return "admin-level";
    }

    @Override
    public List<Finding> run(TargetProbe probe) {
        if (probe.client().isEmpty()) {
            return List.of();
        }
        if (probe.belowAdmin()) {
            boolean master = probe.target().masterCli();
            return List.of(Finding.fail(id(), probe.name(), "the Runtime API at " + probe.target().runtimeApi()
                            + " is below level admin: HAProxy refuses certificate commands there",
                    master ? "give the master CLI admin level (-S <socket>,level,admin) and restart HAProxy"
                            : "add `level admin` to its `stats socket` line in haproxy.cfg (e.g. `stats socket "
                                    + "/run/haproxy/admin.sock mode 660 level admin`) and reload HAProxy"));
        }
        if (probe.crtListsFailure().isPresent()) {
            return List.of(Finding.fail(id(), probe.name(), "'show ssl crt-list' failed: "
                    + probe.crtListsFailure().get().getMessage(), "check that " + probe.target().runtimeApi()
                    + " is an HAProxy 2.2+ Runtime API socket"));
        }
        return List.of(Finding.ok(id(), probe.name(), "level admin: certificate commands allowed"));
    }
}
