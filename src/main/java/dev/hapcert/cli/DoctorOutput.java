package dev.hapcert.cli;

import dev.hapcert.doctor.DoctorReport;
import dev.hapcert.doctor.Finding;
import dev.hapcert.doctor.Severity;
import java.io.PrintWriter;
import java.util.Locale;

/** {@code doctor}'s findings as an aligned table for people (each problem followed by its fix) or as JSON. */
final class DoctorOutput {
    private DoctorOutput() {
    }

    static void printText(PrintWriter out, DoctorReport report) {
        int check = "CHECK".length();
        int target = "TARGET".length();
        for (Finding f : report.findings()) {
            check = Math.max(check, f.check().length());
            target = Math.max(target, f.target().length());
        }
        String row = "%-4s  %-" + check + "s  %-" + target + "s  %s%n";
        out.printf(row, "", "CHECK", "TARGET", "FINDING");
        String indent = " ".repeat(4 + 2 + check + 2 + target + 2);
        for (Finding f : report.findings()) {
            out.printf(row, label(f.severity()), f.check(), f.target(), f.message());
            if (!f.fix().isEmpty()) {
                out.println(indent + "fix: " + f.fix());
            }
        }
    }

    static String summary(DoctorReport report) {
        return "doctor: " + report.count(Severity.OK) + " ok, " + report.count(Severity.WARN) + " warning(s), "
                + report.count(Severity.FAIL) + " failure(s)";
    }

    private static String label(Severity s) {
        return switch (s) {
            case OK -> "ok";
            case WARN -> "WARN";
            case FAIL -> "FAIL";
        };
    }

    static void printJson(PrintWriter out, DoctorReport report) {
        JsonOutput.write(out, g -> {
            g.writeStartObject();
            g.writeNumberField("exitCode", report.exitCode().code());
            g.writeStringField("status", report.exitCode().name().toLowerCase(Locale.ROOT));
            g.writeArrayFieldStart("findings");
            for (Finding f : report.findings()) {
                g.writeStartObject();
                g.writeStringField("check", f.check());
                g.writeStringField("target", f.target());
                g.writeStringField("severity", f.severity().name().toLowerCase(Locale.ROOT));
                g.writeStringField("message", f.message());
                g.writeStringField("fix", f.fix());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
