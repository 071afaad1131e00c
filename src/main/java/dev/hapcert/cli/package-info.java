/**
 * The command line: thin picocli commands that parse options, drive the deploy pipeline and print its report.
 * Exit codes are mapped in one place ({@link dev.hapcert.error.ExitCode}).
 */
package dev.hapcert.cli;
