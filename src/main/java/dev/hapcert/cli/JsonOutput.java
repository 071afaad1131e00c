package dev.hapcert.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Writes one pretty-printed JSON document and a newline to stdout. The generator must not close the stream: the
 * same writer carries the rest of the run's output. Jackson loads only when {@code --json} is asked for.
 */
final class JsonOutput {
    /** The document's body, written into an open generator. */
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private JsonOutput() {
    }

    static void write(PrintWriter out, Body body) {
        try (JsonGenerator g = new JsonFactory().configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false).createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            body.write(g);
            g.flush();
            out.println();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
