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
        return target.masterCli() ? RuntimeApiClient.connectToWorker(address, "1") : RuntimeApiClient.connect(address);
    }
}
