package dev.hapcert.haproxy.docker;

import java.util.List;
import java.util.Map;

/**
 * What hapcert needs to know about one container: identity, whether it runs, its mounts and the command line of
 * its first process (to tell whether HAProxy runs master-worker and where its binary is).
 */
public record ContainerInspection(
        String id, String name, boolean running, String status, List<ContainerMount> mounts,
        List<String> command, Map<String, String> labels) {
    public ContainerInspection {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("container id is required");
        }
        name = name == null ? "" : name.startsWith("/") ? name.substring(1) : name;
        status = status == null ? "" : status;
        mounts = List.copyOf(mounts);
        command = List.copyOf(command);
        labels = Map.copyOf(labels);
    }

    /**
     * True when the first process is HAProxy started with {@code -W} or {@code -Ws} (the official image runs
     * {@code haproxy -W -db}). A {@code master-worker} keyword inside the configuration is not visible here.
     */
    public boolean masterWorker() {
        return runsHaproxy() && command.stream().skip(1).anyMatch(a -> a.equals("-W") || a.equals("-Ws"));
    }

    /** True when the first process is an HAProxy binary (not a shell or an init wrapper). */
    public boolean runsHaproxy() {
        return !command.isEmpty() && (command.get(0).equals("haproxy") || command.get(0).endsWith("/haproxy"));
    }

    /** The short id and name, for messages. */
    public String describe() {
        return (name.isEmpty() ? "" : name + " ") + "(" + id.substring(0, Math.min(12, id.length())) + ")";
    }
}
