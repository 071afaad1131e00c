package dev.hapcert.haproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The answer to {@code show proc} on a master CLI: the master, its current workers, the old workers still draining
 * connections after a reload, and external programs.
 */
public record ProcList(Process master, List<Process> workers, List<Process> oldWorkers, List<Process> programs) {

    /**
     * One process line.
     *
     * @param reloads       how many reloads the process survived
     * @param failedReloads the master's failed reloads ({@code [failed: N]}); 0 for others
     * @param uptime        as HAProxy prints it, e.g. {@code 0d00h01m52s}
     * @param version       the HAProxy version, {@code -} for programs
     */
    public record Process(long pid, String type, int reloads, int failedReloads, String uptime, String version) {
        public Process {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(uptime, "uptime");
            Objects.requireNonNull(version, "version");
            if (pid <= 0) {
                throw new IllegalArgumentException("pid must be positive: " + pid);
            }
        }

        /** The master CLI prefix that sends a command to this process. */
        public String route() {
            return "@!" + pid;
        }
    }

    public ProcList {
        Objects.requireNonNull(master, "master");
        workers = List.copyOf(workers);
        oldWorkers = List.copyOf(oldWorkers);
        programs = List.copyOf(programs);
    }

    /**
     * Parses the reply. Seen on HAProxy 2.6.12 during a reload, an old worker still holding a connection:
     * <pre>
     * #&lt;PID&gt;          &lt;type&gt;          &lt;reloads&gt;       &lt;uptime&gt;        &lt;version&gt;
     * 5710            master          2 [failed: 0]   0d00h01m52s     2.6.12-1+deb12u4
     * # workers
     * 8568            worker          0               0d00h00m01s     2.6.12-1+deb12u4
     * # old workers
     * 8325            worker          1               0d00h00m06s     2.6.12-1+deb12u4
     * # programs
     * </pre>
     *
     * @throws HaproxyProtocolException when the master line is missing or a process line is malformed
     */
    public static ProcList parse(String reply) {
        Process master = null;
        List<Process> workers = new ArrayList<>();
        List<Process> old = new ArrayList<>();
        List<Process> programs = new ArrayList<>();
        String section = "";
        for (String raw : reply.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#<")) {
                continue;
            }
            if (line.startsWith("#")) {
                section = line.substring(1).strip();
                continue;
            }
            Process p = parseLine(line);
            if (p.type().equals("master") && section.isEmpty()) {
                master = p;
                continue;
            }
            switch (section) {
                case "workers" -> workers.add(p);
                case "old workers" -> old.add(p);
                case "programs" -> programs.add(p);
                default -> {
                    // A section this version does not know; tolerated.
                }
            }
        }
        if (master == null) {
            throw new HaproxyProtocolException("'show proc' answered without the master's line;"
                    + " is this socket a master CLI (haproxy -W -S)?");
        }
        return new ProcList(master, workers, old, programs);
    }

    private static Process parseLine(String line) {
        String[] t = line.split("\\s+");
        try {
            long pid = Long.parseLong(t[0]);
            String type = t[1];
            int reloads = Integer.parseInt(t[2]);
            int i = 3;
            int failed = 0;
            if (t.length > 4 && t[3].equals("[failed:")) {
                failed = Integer.parseInt(t[4].replace("]", ""));
                i = 5;
            }
            String uptime = t.length > i ? t[i] : "";
            String version = t.length > i + 1 ? t[i + 1] : "";
            return new Process(pid, type, reloads, failed, uptime, version);
        } catch (RuntimeException e) {
            throw new HaproxyProtocolException("'show proc' answered a line that is not '<pid> <type> <reloads>"
                    + " <uptime> <version>': '" + ReplyScrubber.oneLine(line) + "'", e);
        }
    }
}
