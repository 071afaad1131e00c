/**
 * Helpers for the benchmarks under {@code bench/}: fast generation of many certificate bundles and renewals, run
 * from the test classpath by the bench scripts. Nothing here runs as part of the test suite except its smoke test.
 */
package dev.hapcert.bench;
