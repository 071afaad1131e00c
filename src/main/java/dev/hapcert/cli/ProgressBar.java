package dev.hapcert.cli;

import java.io.PrintWriter;
import java.util.Map;

/**
 * A one-line progress bar on stderr for long runs, drawn only when a person is watching (a terminal) so that logs
 * and pipes stay clean.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final boolean enabled;
    private long lastDraw;
    private boolean drawn;

    private ProgressBar(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    static ProgressBar forTerminal(PrintWriter err, Map<String, String> env) {
        boolean terminal = System.console() != null && !"dumb".equals(env.get("TERM"));
        return new ProgressBar(err, terminal);
    }

    void update(int done, int total) {
        if (!enabled || total < 20) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        int filled = (int) ((long) WIDTH * done / total);
        err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
        err.flush();
        drawn = true;
    }

    void finish() {
        if (drawn) {
            err.println();
        }
    }
}
