package dev.hapcert.config;

/**
 * What to do when HAProxy reports a certificate transaction that hapcert did not open. HAProxy has one global
 * transaction per process that survives disconnects, so a deployer that crashed between {@code set ssl cert} and
 * {@code commit ssl cert} leaves it open and blocks every later update of other certificates.
 */
public enum LeftoverTransactionPolicy {
    /**
     * Default. If the transaction is still open after a short grace period (another deployer may be mid-way), it
     * was abandoned by a crashed run: abort it and carry on. The certificate it held was never committed.
     */
    ABORT,
    /** Stop with an error and leave the transaction for the operator to inspect. */
    FAIL
}
