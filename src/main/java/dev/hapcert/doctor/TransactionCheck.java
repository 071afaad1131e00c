package dev.hapcert.doctor;

import dev.hapcert.config.LeftoverTransactionPolicy;
import dev.hapcert.error.HapcertException;
import java.util.List;
import java.util.Optional;

/**
 * No certificate transaction is left open. HAProxy has one per process and it outlives the connection that opened
 * it; a leftover one (a crashed deployer, a hand-typed {@code set ssl cert}) blocks or, on 2.6, poisons the next one.
 */
final class TransactionCheck implements TargetCheck {
    @Override
    public String id() {
        return "transaction";
    }

    @Override
    public List<Finding> run(TargetProbe probe) throws HapcertException {
        if (probe.client().isEmpty() || probe.belowAdmin()) {
            return List.of();
        }
        Optional<String> open = probe.client().get().showSslCerts().openTransaction();
        if (open.isEmpty()) {
            return List.of(Finding.ok(id(), probe.name(), "no certificate transaction open"));
        }
        String abort = "echo '" + (probe.target().masterCli() ? "@1 " : "") + "abort ssl cert " + open.get() + "' | socat stdio " + socatAddress(probe.target().runtimeApi());
        if (probe.target().onLeftoverTransaction() == LeftoverTransactionPolicy.FAIL) {
            return List.of(Finding.fail(id(), probe.name(), "a certificate transaction for " + open.get() + " is open"
                    + " (left by a crashed run or another tool) and on-leftover-transaction is fail: deploys stop until"
                    + " it is gone", "once nobody is working on it: " + abort));
        }
        return List.of(Finding.warn(id(), probe.name(), "a certificate transaction for " + open.get() + " is open (left"
                + " by a crashed run or another tool); the next deploy aborts it after a grace period",
                "if nobody is working on it, abort it now: " + abort));
    }

    private static String socatAddress(String runtimeApi) {
        if (runtimeApi.startsWith("/")) {
            return runtimeApi;
        }
        if (runtimeApi.startsWith("unix@")) {
            return runtimeApi.substring("unix@".length());
        }
        String hostPort = runtimeApi.replaceFirst("^ipv[46]@", "");
        return "tcp:" + hostPort;
    }
}
