package dev.hapcert.doctor;

import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import java.util.List;

/** The Runtime API answers at the configured address. */
final class RuntimeApiCheck implements TargetCheck {
    @Override
    public String id() {
        return "runtime-api";
    }

    @Override
    public List<Finding> run(TargetProbe probe) {
        String address = probe.target().runtimeApi();
        if (probe.target().docker().isPresent()) {
            // Reached through the container engine: ContainerCheck reports it.
            return List.of();
        }
        if (probe.connectFailure().isPresent()) {
            HapcertException e = probe.connectFailure().get();
            String fix = e instanceof ConfigException
                    ? "write runtime-api as in haproxy.cfg's `stats socket` line: /path, unix@/path, ipv4@host:port"
                    : "start HAProxy, or make runtime-api name a `stats socket` of its `global` section (the path as"
                            + " seen from this host) and let the user running hapcert (" + System.getProperty("user.name")
                            + ") connect to it (socket mode and owner)";
            return List.of(Finding.fail(id(), probe.name(), e.getMessage(), fix));
        }
        return List.of(Finding.ok(id(), probe.name(), "reachable at " + address
                + (probe.target().masterCli() ? " (master CLI, commands go to the current worker)" : "")));
    }
}
