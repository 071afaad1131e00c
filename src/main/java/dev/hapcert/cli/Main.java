package dev.hapcert.cli;

import dev.hapcert.error.ExitCode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Process entry point: everything else runs in-process through {@link Cli#run}, which tests call directly. */
public final class Main {
    private Main() {
    }

    /** Read by {@code java.nio.channels.spi.SelectorProvider} before it looks for a provider itself. */
    private static final String SELECTOR_PROVIDER = "java.nio.channels.spi.SelectorProvider";

    public static void main(String[] args) {
        // NIO's first channel looks for a selector provider among the services of the class path, which opens the
        // 16,000-entry jar: 7 ms of CPU in a cold JVM, on the deploy hook's critical path. With the launcher's
        // class-data archive nothing else on that path needs the jar, so Linux's provider, the one the JDK would
        // choose, is named instead (bench/README.md, "Single deploy: where the time goes").
        if (System.getProperty(SELECTOR_PROVIDER) == null && "Linux".equals(System.getProperty("os.name"))) {
            System.setProperty(SELECTOR_PROVIDER, "sun.nio.ch.EPollSelectorProvider");
        }
        // Every command flushes its output once it is complete; flushing per line cost a sync of 10,000
        // certificates a write per report line.
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code;
        try {
            code = new Cli(out, err, System.getenv()).run(args);
        } catch (OutOfMemoryError e) {
            // The launcher's heap limit keeps a sync of tens of thousands small; a run it does not fit gets told how
            // to give it more instead of a stack trace. Every step before this was crash-safe, so a rerun converges.
            err.println("hapcert: out of memory (" + e.getMessage() + "): this run needs a larger Java heap; run it"
                    + " again with HAPCERT_JAVA_OPTS=-Xmx1g, for example (the launcher's default is -Xmx256m)");
            code = ExitCode.INTERNAL_ERROR.code();
        }
        out.flush();
        err.flush();
        System.exit(code);
    }
}
