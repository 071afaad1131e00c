package dev.hapcert.haproxy.docker;

import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyRefusedException;
import java.time.Duration;
import java.util.List;

/**
 * The reload fallback through the engine, for when the Runtime API path failed and the configuration allows a
 * reload (that policy is the caller's). HAProxy first checks the configuration inside the container; then a
 * master-worker HAProxy gets SIGUSR2, its documented reload signal. Without master-worker HAProxy has no
 * in-place reload (a new process with {@code -sf} replaces the old one; SIGHUP only dumps server states and
 * SIGUSR1 soft-stops, ending the container), so the operator is told to restart the container or name a reload
 * command.
 */
public final class ContainerReload {
    private final DockerEngine engine;
    private final ExecChannel exec;

    public ContainerReload(DockerEngine engine, ExecChannel exec) {
        this.engine = engine;
        this.exec = exec;
    }

    /**
     * Checks {@code configPath} (container view) and reloads.
     *
     * @param reloadCommand a command to run in the container instead of a signal, or empty for none
     * @return how the reload was done, for the report
     * @throws HaproxyRefusedException when the check fails (its output without PEM) or no in-place reload exists
     */
    public String reload(String configPath, List<String> reloadCommand, Duration timeout) throws HapcertException {
        ContainerInspection c = exec.container();
        String haproxy = c.runsHaproxy() ? c.command().get(0) : "haproxy";
        ExecResult check = exec.run(List.of(haproxy, "-c", "-f", configPath), new byte[0], timeout);
        if (check.exitCode() != 0) {
            throw new HaproxyRefusedException("haproxy -c -f " + configPath + " in container " + c.describe()
                    + " failed (exit " + check.exitCode() + "), not reloading: "
                    + PemScrubber.scrub((check.stdoutText() + "\n" + check.stderrText()).strip()));
        }
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
        throw new HaproxyRefusedException("HAProxy in container " + c.describe() + " does not run master-worker"
                + " (-W), so it cannot reload in place: restart the container, run HAProxy with -W, or configure a"
                + " reload command");
    }
}
