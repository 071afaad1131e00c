package dev.hapcert.cli;

import dev.hapcert.deploy.CertificateResult;
import dev.hapcert.deploy.DeployReport;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Option;

/** How a report reaches stdout: a line per certificate and target for people, or JSON for machines. */
final class OutputOptions {
    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors.")
    boolean verbose;

    void print(CommandContext context, DeployReport report) {
        if (json) {
            printJson(context.out(), report);
        } else {
            printText(context.out(), report);
        }
        context.out().flush();
    }

    static void printText(PrintWriter out, DeployReport report) {
        for (CertificateResult r : report.results()) {
            StringBuilder line = new StringBuilder();
            line.append(r.target()).append("  ").append(r.certificate()).append("  ")
                    .append(r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            if (r.serial() != null) {
                line.append("  serial ");
                if (r.previousSerial() != null && !r.previousSerial().equals(r.serial())) {
                    line.append(r.previousSerial()).append(" -> ");
                }
                line.append(r.serial());
            }
            if (!r.detail().isEmpty()) {
                line.append("  (").append(r.detail()).append(')');
            }
            line.append("  ").append(r.millis()).append(" ms");
            out.println(line);
        }
    }

    /** {@code --json} when the run stopped before producing a report: the exit code and the message. */
    static void printJsonError(PrintWriter out, dev.hapcert.error.HapcertException failure) {
        JsonOutput.write(out, g -> {
            g.writeStartObject();
            g.writeNumberField("exitCode", failure.exitCode().code());
            g.writeStringField("status", failure.exitCode().name().toLowerCase(Locale.ROOT));
            g.writeStringField("error", failure.getMessage());
            g.writeArrayFieldStart("results");
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    static void printJson(PrintWriter out, DeployReport report) {
        JsonOutput.write(out, g -> {
            g.writeStartObject();
            g.writeNumberField("exitCode", report.exitCode().code());
            g.writeStringField("status", report.exitCode().name().toLowerCase(Locale.ROOT));
            g.writeArrayFieldStart("results");
            for (CertificateResult r : report.results()) {
                g.writeStartObject();
                g.writeStringField("target", r.target());
                g.writeStringField("certificate", r.certificate());
                g.writeStringField("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
                g.writeStringField("previousSerial", r.previousSerial());
                g.writeStringField("serial", r.serial());
                g.writeStringField("detail", r.detail());
                g.writeNumberField("millis", r.millis());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
