package dev.hapcert.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The deploy hook's command line, parsed without picocli. A certificate hook runs once per renewal and its whole run
 * should take a few tens of milliseconds; picocli's reflective model costs more than the rest of the hook's start-up
 * put together (its classes are also too old for class-data archives). This parser fills the very fields picocli
 * would fill on {@link DeployCommand}, and only for the plain forms: {@code --opt value}, {@code --opt=value} and
 * single flags. Anything else (help, an unknown or repeated option, {@code -vt}, {@code @file}, a missing or bad
 * value, a conflict between options) returns empty, and picocli then parses the line and says what is wrong, so
 * usage messages have one source. A test checks both parsers agree on every option {@link DeployCommand} declares.
 */
final class DeployArgs {
    /** Options taking a value, each with its aliases. */
    private static final Set<String> WITH_VALUE = Set.of("-c", "--config", "--haproxy-config", "-t", "--target",
            "--lineage", "--fullchain", "--cert", "--chain", "--key", "--name", "--domains", "--verify-tls",
            "--lock-timeout");
    private static final Set<String> FLAGS = Set.of("--json", "-v", "--verbose", "--dry-run", "--force");

    private DeployArgs() {
    }

    /** Every option name this parser understands: the test compares it with picocli's model of the command. */
    static Set<String> optionNames() {
        Set<String> all = new HashSet<>(WITH_VALUE);
        all.addAll(FLAGS);
        return all;
    }

    /**
     * A configured {@link DeployCommand} for {@code args} (which start with {@code deploy}), or empty when picocli
     * must parse them.
     */
    static Optional<DeployCommand> parse(String[] args) {
        if (args.length == 0 || !args[0].equals("deploy")) {
            return Optional.empty();
        }
        DeployCommand command = new DeployCommand();
        Set<String> seen = new HashSet<>();
        Path lineage = null;
        Path certificate = null;
        Path chain = null;
        Path key = null;
        try {
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                String option = arg;
                String value = null;
                int equals = arg.indexOf('=');
                if (arg.startsWith("--") && equals > 0) {
                    option = arg.substring(0, equals);
                    value = arg.substring(equals + 1);
                }
                if (FLAGS.contains(option)) {
                    if (value != null || !seen.add(canonical(option))) {
                        return Optional.empty();
                    }
                    switch (option) {
                        case "--json" -> command.output.json = true;
                        case "-v", "--verbose" -> command.output.verbose = true;
                        case "--dry-run" -> command.change.dryRun = true;
                        case "--force" -> command.change.force = true;
                        default -> {
                            return Optional.empty();
                        }
                    }
                    continue;
                }
                if (!WITH_VALUE.contains(option)) {
                    return Optional.empty();
                }
                if (value == null) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
                        return Optional.empty();
                    }
                    value = args[++i];
                }
                String name = canonical(option);
                boolean list = name.equals("--target") || name.equals("--domains");
                if (!seen.add(name) && !list) {
                    return Optional.empty();
                }
                switch (name) {
                    case "--config" -> command.targets.config = Path.of(value);
                    case "--haproxy-config" -> command.targets.haproxyConfig = Path.of(value);
                    case "--target" -> command.targets.only = append(command.targets.only, value);
                    case "--lineage" -> lineage = Path.of(value);
                    case "--fullchain" -> certificate = Path.of(value);
                    case "--chain" -> chain = Path.of(value);
                    case "--key" -> key = Path.of(value);
                    case "--name" -> command.name = value;
                    case "--domains" -> command.domains = append(command.domains, value);
                    case "--verify-tls" -> command.change.verifyTls = value;
                    case "--lock-timeout" -> command.change.lockTimeoutSeconds = Integer.parseInt(value);
                    default -> {
                        return Optional.empty();
                    }
                }
            }
        } catch (NumberFormatException | InvalidPathException e) {
            return Optional.empty();
        }
        if (!seen.contains("--lock-timeout")) {
            command.change.lockTimeoutSeconds = ChangeOptions.DEFAULT_LOCK_TIMEOUT_SECONDS;
        }
        boolean files = certificate != null || chain != null || key != null;
        if (lineage != null && files || files && certificate == null) {
            return Optional.empty();
        }
        if (lineage != null || files) {
            command.input = new DeployCommand.Input();
            if (lineage != null) {
                command.input.lineage = lineage;
            } else {
                command.input.files = new DeployCommand.Files();
                command.input.files.certificate = certificate;
                command.input.files.chain = chain;
                command.input.files.key = key;
            }
        }
        return Optional.of(command);
    }

    private static String canonical(String option) {
        return switch (option) {
            case "-c" -> "--config";
            case "-t" -> "--target";
            case "--cert" -> "--fullchain";
            case "-v" -> "--verbose";
            default -> option;
        };
    }

    /** Picocli splits list values at commas and appends repeated options. */
    private static List<String> append(List<String> list, String value) {
        List<String> out = list == null ? new ArrayList<>() : list;
        out.addAll(Arrays.asList(value.split(",", -1)));
        return out;
    }
}
