package dev.hapcert.deploy;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;

/** Opens the Runtime API of a target, whichever way it is reached. */
final class TargetConnector {
    private TargetConnector() {
    }

    static RuntimeApiClient connect(TargetConfig target) throws HapcertException {
        RuntimeApiAddress address = RuntimeApiAddress.parse(target.runtimeApi());
        // Through a master CLI, commands go to the current worker (@1): HAProxy 2.6 runs one worker process, and
        // workers left over from a reload no longer accept new connections.
        return RuntimeApiClient.open(target.masterCli() ? address.asMasterCli() : address);
    }
}
