package dev.hapcert.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Process entry point: everything else runs in-process through {@link Cli#run}, which tests call directly. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = new Cli(out, err, System.getenv()).run(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
