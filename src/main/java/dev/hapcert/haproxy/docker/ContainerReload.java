package dev.hapcert.haproxy.docker;

import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyRefusedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The reload fallback through the engine, for when the Runtime API path failed and the configuration allows a
 * reload (that policy is the caller's). HAProxy first checks the configuration inside the container; then a
 * master-worker HAProxy gets SIGUSR2, its documented reload signal. Without master-worker HAProxy has no
 * in-place reload (a new process with {@code -sf} replaces the old one; SIGHUP only dumps server states and
 * SIGUSR1 soft-stops, ending the container): the documented way is to restart the container, which the caller
 * may allow, or the operator is told to.
 */
public final class ContainerReload {
    /** Seconds a restarted HAProxy gets to finish: as pid 1 it ignores SIGTERM's default, so waiting longer is useless. */
    private static final int RESTART_GRACE_SECONDS = 1;

    private final DockerEngine engine;
    private final ExecChannel exec;

    public ContainerReload(DockerEngine engine, ExecChannel exec) {
        this.engine = engine;
        this.exec = exec;
    }

    /**
     * Checks {@code configPath} (container view) and reloads a master-worker HAProxy; refuses otherwise.
     *
     * @param reloadCommand a command to run in the container instead of a signal, or empty for none
     * @return how the reload was done, for the report
     * @throws HaproxyRefusedException when the check fails (its output without PEM) or no in-place reload exists
     */
    public String reload(String configPath, List<String> reloadCommand, Duration timeout) throws HapcertException {
        ContainerInspection c = exec.container();
        HaproxyCommandLine haproxy = HaproxyCommandLine.parse(c.command())
                .orElse(new HaproxyCommandLine("haproxy", List.of(configPath), false));
        check(haproxy.binary(), List.of(configPath), timeout);
        if (!reloadCommand.isEmpty()) {
            ExecResult r = exec.run(reloadCommand, new byte[0], timeout);
            if (r.exitCode() != 0) {
                throw new HaproxyRefusedException("reload command " + reloadCommand.get(0) + " in container "
                        + c.describe() + " failed (exit " + r.exitCode() + "): "
                        + PemScrubber.scrub((r.stdoutText() + "\n" + r.stderrText()).strip()));
            }
            return "ran " + String.join(" ", reloadCommand) + " in container " + c.describe();
        }
        if (c.masterWorker()) {
            engine.kill(c, "SIGUSR2");
            return "sent SIGUSR2 to the HAProxy master in container " + c.describe();
        }
        throw notMasterWorker(c);
    }

    /**
     * The fallback as the deployer runs it: finds how HAProxy really runs ({@code docker top}, so an entrypoint
     * script in front of it does not hide {@code -W}), checks its configuration files with {@code haproxy -c} in the
     * container, then sends SIGUSR2 to a master-worker HAProxy, or restarts the container when
     * {@code restartAllowed} (connections in flight are cut: the caller says so in its report).
     *
     * @param fallbackConfig the configuration (container view) to check when the command line names none
     */
    public String checkAndReload(Optional<String> fallbackConfig, boolean restartAllowed, Duration timeout)
            throws HapcertException {
        ContainerInspection c = exec.container();
        List<String> processes;
        try {
            processes = engine.processes(c);
        } catch (HapcertException e) {
            // Podman 4's compatible top answers with an empty body for containers without ps; the inspected
            // command line is the next best source.
            processes = List.of();
        }
        HaproxyCommandLine haproxy = HaproxyCommandLine.find(processes)
                .or(() -> HaproxyCommandLine.parse(c.command()))
                .orElse(new HaproxyCommandLine("haproxy", List.of(), false));
        List<String> configs = new ArrayList<>(haproxy.configFiles());
        if (configs.isEmpty()) {
            configs.add(fallbackConfig.orElse("/usr/local/etc/haproxy/haproxy.cfg"));
        }
        check(haproxy.binary(), configs, timeout);
        if (haproxy.masterWorker() || c.masterWorker()) {
            engine.kill(c, "SIGUSR2");
            return "haproxy -c passed in the container, SIGUSR2 sent to the HAProxy master";
        }
        if (!restartAllowed) {
            throw notMasterWorker(c);
        }
        engine.restart(c, RESTART_GRACE_SECONDS);
        return "haproxy -c passed in the container; HAProxy does not run master-worker, so the container was restarted"
                + " (connections open at that moment were cut)";
    }

    private void check(String binary, List<String> configs, Duration timeout) throws HapcertException {
        List<String> argv = new ArrayList<>(List.of(binary, "-c"));
        configs.forEach(f -> argv.addAll(List.of("-f", f)));
        ExecResult check = exec.run(argv, new byte[0], timeout);
        if (check.exitCode() != 0) {
            throw new HaproxyRefusedException("haproxy -c -f " + String.join(" -f ", configs) + " in container "
                    + exec.container().describe() + " failed (exit " + check.exitCode() + "), not reloading: "
                    + PemScrubber.scrub((check.stdoutText() + "\n" + check.stderrText()).strip()));
        }
    }

    private static HaproxyRefusedException notMasterWorker(ContainerInspection c) {
        return new HaproxyRefusedException("HAProxy in container " + c.describe() + " does not run master-worker"
                + " (-W), so it cannot reload in place: restart the container, run HAProxy with -W, or configure a"
                + " reload command");
    }
}
