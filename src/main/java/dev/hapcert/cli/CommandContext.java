package dev.hapcert.cli;

import java.io.PrintWriter;
import java.util.Map;

/** The streams and environment of one run: stdout carries the report only, stderr progress and diagnostics. */
final class CommandContext {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> env;
    private boolean verbose;

    CommandContext(PrintWriter out, PrintWriter err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    Map<String, String> env() {
        return env;
    }

    boolean verbose() {
        return verbose;
    }

    void setVerbose(boolean verbose) {
        this.verbose = verbose;
    }
}
