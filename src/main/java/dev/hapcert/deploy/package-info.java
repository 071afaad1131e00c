/**
 * Plan, apply and verify: compares what should be served with what each HAProxy serves and has on disk, then
 * changes only what differs, files first (atomically) around the Runtime API transaction, and checks the result.
 */
package dev.hapcert.deploy;
