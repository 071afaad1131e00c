package dev.hapcert.cli;

import dev.hapcert.deploy.CertificateStatus;
import dev.hapcert.deploy.StatusInspector;
import dev.hapcert.deploy.TargetStatus;
import dev.hapcert.error.ExitCode;
import dev.hapcert.error.HapcertException;
import dev.hapcert.source.CertificateFeed;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hapcert status}: what is served where, what drifts and what expires; an exit code for monitoring. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {"Show, per certificate and target, the serial in the source, on disk and loaded in HAProxy, when it "
                + "expires, and what drifts. Changes nothing.",
            "",
            "Exit code 9 when anything expires within --warn-days, drifts, or a target cannot be inspected: "
                + "Let's Encrypt no longer sends expiry mail, so let monitoring run this."})
final class StatusCommand implements Callable<Integer>, ContextAware {
    private CommandContext context;

    @Mixin
    TargetOptions targets = new TargetOptions();

    @Mixin
    OutputOptions output = new OutputOptions();

    @Option(names = {"-s", "--source"}, paramLabel = "KIND:DIR",
            description = "Compare with this store too: " + SourceSpec.FORMS + " (repeatable).")
    List<String> sources;

    @Option(names = "--warn-days", paramLabel = "N", defaultValue = "14",
            description = "Flag certificates that expire within N days (default: ${DEFAULT-VALUE}).")
    int warnDays;

    @Override
    public void setContext(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws HapcertException {
        context.setVerbose(output.verbose);
        boolean haveSource = sources != null && !sources.isEmpty();
        List<CertificateFeed.Summary> desired = List.of();
        if (haveSource) {
            LoadedSources.Scanned scanned = LoadedSources.scan(SourceSpec.parseAll(sources), context.err(), c -> { });
            scanned.failures().forEach(f -> context.err().println("hapcert: source " + f.certificate() + ": " + f.detail()));
            desired = scanned.certificates();
        }
        List<TargetStatus> status = new StatusInspector(Duration.ofDays(warnDays), Instant.now())
                .inspect(desired, haveSource, targets.resolve(context.env()));
        if (output.json) {
            printJson(context.out(), status);
        } else {
            printTable(context.out(), status);
        }
        context.out().flush();
        return status.stream().anyMatch(TargetStatus::needsAttention) ? ExitCode.ATTENTION_NEEDED.code() : ExitCode.OK.code();
    }

    private static String orDash(Object value) {
        return value == null ? "-" : value.toString();
    }

    static void printTable(PrintWriter out, List<TargetStatus> targets) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TARGET", "CERTIFICATE", "SOURCE", "DISK", "LOADED", "NOT AFTER", "DAYS", "STATE"});
        for (TargetStatus t : targets) {
            if (t.error() != null) {
                rows.add(new String[] {t.target(), "-", "-", "-", "-", "-", "-", "unreachable: " + t.error()});
                continue;
            }
            for (CertificateStatus c : t.certificates()) {
                rows.add(new String[] {c.target(), c.certificate(), orDash(c.sourceSerial()), orDash(c.diskSerial()),
                    orDash(c.loadedSerial()), c.notAfter() == null ? "-" : c.notAfter().toString().substring(0, 10),
                    orDash(c.daysLeft()), c.problems().isEmpty() ? "ok" : String.join("; ", c.problems())});
            }
        }
        int[] widths = new int[8];
        for (String[] r : rows) {
            for (int i = 0; i < 7; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < 7; i++) {
                line.append(String.format("%-" + widths[i] + "s  ", r[i]));
            }
            out.println(line.append(r[7]));
        }
        for (TargetStatus t : targets) {
            for (String tx : t.openTransactions()) {
                out.println(t.target() + ": transaction left open on " + tx + " (blocks every change; hapcert deploy aborts it)");
            }
            for (String u : t.unused()) {
                out.println(t.target() + ": loaded but unused: " + u);
            }
        }
    }

    static void printJson(PrintWriter out, List<TargetStatus> targets) {
        JsonOutput.write(out, g -> {
            g.writeStartObject();
            g.writeBooleanField("attentionNeeded", targets.stream().anyMatch(TargetStatus::needsAttention));
            g.writeArrayFieldStart("targets");
            for (TargetStatus t : targets) {
                g.writeStartObject();
                g.writeStringField("target", t.target());
                g.writeStringField("error", t.error());
                g.writeArrayFieldStart("openTransactions");
                for (String tx : t.openTransactions()) {
                    g.writeString(tx);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("unused");
                for (String u : t.unused()) {
                    g.writeString(u);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("certificates");
                for (CertificateStatus c : t.certificates()) {
                    g.writeStartObject();
                    g.writeStringField("certificate", c.certificate());
                    g.writeStringField("sourceSerial", c.sourceSerial());
                    g.writeStringField("diskSerial", c.diskSerial());
                    g.writeStringField("loadedSerial", c.loadedSerial());
                    g.writeStringField("notAfter", c.notAfter() == null ? null : c.notAfter().toString());
                    if (c.daysLeft() == null) {
                        g.writeNullField("daysLeft");
                    } else {
                        g.writeNumberField("daysLeft", c.daysLeft());
                    }
                    g.writeArrayFieldStart("problems");
                    for (String p : c.problems()) {
                        g.writeString(p);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
