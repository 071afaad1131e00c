/**
 * Safety tests: bad input, crashes at every step, HAProxy restarted mid-deploy, concurrent deploys and secrets at
 * rest, all against real HAProxy processes. Each case is a named row; {@code docs/reliability.md} lists the same
 * rows and {@link dev.hapcert.safety.ReliabilityDocTest} keeps the two in step.
 */
package dev.hapcert.safety;
