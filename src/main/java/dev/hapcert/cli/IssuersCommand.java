package dev.hapcert.cli;

import dev.hapcert.cert.IssuerChains;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.IssuerFiles;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.ExitCode;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hapcert issuers}: the chains the deployed bundles carry, whether HAProxy's {@code issuers-chain-path} holds
 * them, and with {@code --write} the files it lacks. The step that makes the fast bulk path a command instead of a
 * manual extraction of intermediates.
 */
@Command(name = "issuers",
        mixinStandardHelpOptions = true,
        description = {"List the certificate chains the bundles of each target's crt-list carry, and whether its "
                + "issuers-chain-path directory holds each one. With a chain's file there (read by HAProxy when it "
                + "starts), hapcert writes and sends those bundles without their chain: HAProxy keeps one copy of it "
                + "and loads many certificates faster.",
            "",
            "--write adds a file for each chain whose issuer has none (owned like the target's bundles: files.mode, "
                + "files.group); it never changes or removes a file. Then reload HAProxy once and run `hapcert sync`.",
            "",
            "With --source, the chains are those of the store's certificates instead: the files can be written before "
                + "a first bulk deploy, which then sends every bundle without its chain."})
final class IssuersCommand implements Callable<Integer>, ContextAware {
    private CommandContext context;

    @Mixin
    TargetOptions targets = new TargetOptions();

    @Option(names = "--write", description = "Write the missing issuer files.")
    boolean write;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "The directory on this host, for a target without issuers-chain-path (default: the "
                    + "target's issuers-chain-path).")
    Path dir;

    @Option(names = {"-s", "--source"}, paramLabel = "KIND:DIR",
            description = "Take the chains of this store's certificates instead of the crt-list's bundles: "
                    + SourceSpec.FORMS + " (repeatable).")
    List<String> sources;

    @Option(names = "--json", description = "Print the chains and the files written as JSON.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Show stack traces on errors.")
    boolean verbose;

    /** One target's survey and the files written for it. */
    private record Result(IssuerFiles.Survey survey, List<Path> written) {
    }

    @Override
    public void setContext(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws HapcertException {
        context.setVerbose(verbose);
        PrintWriter out = context.out();
        boolean fromSource = sources != null && !sources.isEmpty();
        // The same chains for every target: counted once.
        IssuerChains.ChainCount sourceChains = new IssuerChains.ChainCount();
        int sourceCertificates = fromSource ? scanSources(sourceChains) : 0;
        List<Result> results = new ArrayList<>();
        for (TargetConfig configuredTarget : targets.resolve(context.env())) {
            if (write && dir == null && configuredTarget.issuersChainPath().isEmpty()) {
                throw new UsageException("target " + configuredTarget.name() + " has no issuers-chain-path: name the"
                        + " directory with --dir DIR, then add `issuers-chain-path DIR` (as HAProxy sees it) to"
                        + " haproxy.cfg's global section");
            }
            IssuerFiles.Reached reached = IssuerFiles.reach(configuredTarget,
                    m -> context.err().println("hapcert: " + m));
            TargetConfig target = reached.target();
            Optional<Path> configured = IssuerFiles.directoryOf(target);
            Optional<Path> chosen = dir != null ? Optional.of(dir.toAbsolutePath().normalize()) : configured;
            // Only the directory HAProxy reads tells in use from waiting for a reload.
            boolean readByHaproxy = chosen.isPresent() && chosen.equals(configured);
            Optional<Instant> started = readByHaproxy ? reached.started() : Optional.empty();
            IssuerFiles.Survey survey = fromSource
                    ? IssuerFiles.survey(target, String.join(", ", sources), sourceCertificates, sourceChains.carried(),
                            chosen, started)
                    : IssuerFiles.survey(target, chosen, started);
            if (!json) {
                print(out, survey);
            }
            List<Path> written = new ArrayList<>();
            if (write && !survey.missing().isEmpty()) {
                createIfMissing(chosen.get());
                for (IssuerFiles.ChainEntry entry : survey.missing()) {
                    Path file = IssuerFiles.write(chosen.get(), entry, target.files());
                    written.add(file);
                    if (!json) {
                        out.println("wrote " + file + " (" + entry.bundles() + " bundle(s))");
                    }
                }
            }
            if (!json) {
                nextStep(out, survey, written, readByHaproxy, sourceArguments());
            }
            results.add(new Result(survey, written));
        }
        if (json) {
            printJson(out, results);
        }
        out.flush();
        return ExitCode.OK.code();
    }

    /**
     * Counts the chains of the sources' certificates into {@code chains}, one certificate at a time, and returns how
     * many loaded. A certificate that does not load counts for nothing here (a notice says why): its chain gets a
     * file when a later run reads it.
     */
    private int scanSources(IssuerChains.ChainCount chains) throws HapcertException {
        LoadedSources.Scanned scanned = LoadedSources.scan(SourceSpec.parseAll(sources), context.err(),
                c -> chains.add(c.bundle().certificates()));
        scanned.failures().forEach(f -> context.err().println("hapcert: source " + f.certificate() + ": not counted: "
                + f.detail()));
        return scanned.certificates().size();
    }

    private static void printJson(PrintWriter out, List<Result> results) {
        JsonOutput.write(out, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("targets");
            for (Result r : results) {
                IssuerFiles.Survey s = r.survey();
                g.writeStartObject();
                g.writeStringField("target", s.target());
                g.writeStringField("crtList", s.crtList());
                g.writeStringField("source", s.source().orElse(null));
                g.writeNumberField("bundles", s.bundles());
                g.writeStringField("directory", s.dir().map(Path::toString).orElse(null));
                g.writeArrayFieldStart("chains");
                for (IssuerFiles.ChainEntry c : s.chains()) {
                    g.writeStartObject();
                    g.writeStringField("issuer", c.issuer());
                    g.writeNumberField("bundles", c.bundles());
                    g.writeStringField("state", c.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
                    g.writeStringField("file", c.file().map(Path::toString).orElse(null));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("written");
                for (Path p : r.written()) {
                    g.writeString(p.toString());
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void createIfMissing(Path directory) throws ConfigException {
        if (Files.isDirectory(directory)) {
            return;
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new ConfigException("cannot create the issuers directory " + directory + ": " + e.getMessage(), e);
        }
    }

    static void print(PrintWriter out, IssuerFiles.Survey survey) {
        String from = survey.source().isPresent()
                ? "source " + survey.source().get() + " (" + survey.bundles() + " certificate(s))"
                : "crt-list " + survey.crtList() + " (" + survey.bundles() + " bundle(s))";
        out.println("target " + survey.target() + ": " + from + ", issuers directory "
                + survey.dir().map(Path::toString).orElse("none"));
        if (survey.chains().isEmpty()) {
            out.println(survey.source().isPresent() ? "  no certificate of the source has a chain"
                    : "  no bundle of the crt-list carries a chain");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"BUNDLES", "ISSUER", "STATE", "FILE"});
        for (IssuerFiles.ChainEntry c : survey.chains()) {
            rows.add(new String[] {Integer.toString(c.bundles()), c.issuer(), c.state().description(),
                c.file().map(Path::toString).orElse("-")});
        }
        int[] width = new int[3];
        for (String[] row : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            out.println("  " + pad(row[0], width[0]) + "  " + pad(row[1], width[1]) + "  " + pad(row[2], width[2])
                    + "  " + row[3]);
        }
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    /** The {@code --source} options a follow-up command needs to look at the same certificates; "" for none. */
    private String sourceArguments() {
        StringBuilder arguments = new StringBuilder();
        if (sources != null) {
            sources.forEach(s -> arguments.append(" --source ").append(s));
        }
        return arguments.toString();
    }

    private static void nextStep(PrintWriter out, IssuerFiles.Survey survey, List<Path> written,
                                 boolean readByHaproxy, String sourceArguments) {
        String sync = "hapcert sync" + sourceArguments;
        boolean waiting = survey.chains().stream().anyMatch(c -> c.state() == IssuerFiles.State.AFTER_RELOAD);
        int completed = survey.chains().stream().filter(c -> c.state() == IssuerFiles.State.IN_USE)
                .mapToInt(IssuerFiles.ChainEntry::bundles).sum();
        if (completed > 0) {
            out.println("next: `" + sync + "` writes and sends the " + completed + " bundle(s) whose chain HAProxy"
                    + " completes without it");
        }
        if (!written.isEmpty() || waiting) {
            out.println(readByHaproxy
                    ? "next: reload HAProxy (it reads issuers-chain-path only when it starts), then `" + sync + "`"
                            + " writes and sends the bundles of these chains without them"
                    : "next: add `issuers-chain-path` with this directory (as HAProxy sees it) to haproxy.cfg's global"
                            + " section (and to the target in hapcert.yml, if it names its targets), reload HAProxy,"
                            + " then `" + sync + "` writes and sends the bundles of these chains without them");
        } else if (!survey.missing().isEmpty()) {
            String issuers = "hapcert issuers" + sourceArguments + " --write";
            out.println(survey.dir().isPresent()
                    ? "`" + issuers + "` adds a file for each chain that has none"
                    : "`" + issuers + " --dir DIR` writes a file for each chain into DIR");
        }
    }
}
