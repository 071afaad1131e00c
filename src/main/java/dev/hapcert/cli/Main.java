package dev.hapcert.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Process entry point: everything else runs in-process through {@link Cli#run}, which tests call directly. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Every command flushes its output once it is complete; flushing per line cost a sync of 10,000
        // certificates a write per report line.
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = new Cli(out, err, System.getenv()).run(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
