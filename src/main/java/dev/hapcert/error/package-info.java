/**
 * Failures by kind, each mapped to one documented exit code ({@link dev.hapcert.error.ExitCode}).
 * Every package may throw these; none of their messages ever carries private key material.
 */
package dev.hapcert.error;
