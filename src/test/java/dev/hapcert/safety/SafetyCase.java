package dev.hapcert.safety;

import dev.hapcert.error.ExitCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One row of the reliability table: a named situation, what hapcert must answer (exit code and a fragment of the
 * message an operator acts on) and how to set it up against a {@link Sandbox}.
 *
 * <p>A rejected case must leave everything as it was: the good certificate still served, files byte-identical,
 * no transaction open, no key material in the output. An accepted case must deploy and serve the new certificate,
 * and {@link Invocation#check} says what else must hold.
 */
record SafetyCase(String name, String group, String situation, ExitCode exit, String fragment, Setup setup) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    SafetyCase {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(situation, "situation");
        Objects.requireNonNull(exit, "exit");
        Objects.requireNonNull(fragment, "fragment");
        Objects.requireNonNull(setup, "setup");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("case names are kebab-case: " + name);
        }
    }

    boolean accepted() {
        return exit == ExitCode.OK;
    }

    /** What the table in docs/reliability.md says about this case. */
    String outcome() {
        return accepted() ? "accepted: " + fragment : "refused, exit " + exit.code() + " (" + exit.name() + "): `" + fragment + "`";
    }

    @Override
    public String toString() {
        return name;
    }

    /** Prepares the sandbox (files, HAProxy state) and says how to run hapcert. */
    @FunctionalInterface
    interface Setup {
        Invocation prepare(Sandbox s) throws Exception;
    }

    /** Something to run after the command: a restore step or an extra check. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    /**
     * How hapcert is run for a case: arguments and environment, extra paths to snapshot (a symlink's target), what
     * to undo afterwards, and for accepted cases what must be served and what else must hold.
     */
    record Invocation(List<String> args, Map<String, String> env, List<Path> watched, List<Step> cleanup,
                      List<Step> checks, String servedSni, dev.hapcert.testkit.TestCertificates.Issued served) {
        static Invocation of(Map<String, String> env, String... args) {
            return new Invocation(List.of(args), Map.copyOf(env), List.of(), List.of(), List.of(), null, null);
        }

        Invocation watching(Path... paths) {
            List<Path> w = new ArrayList<>(watched);
            w.addAll(List.of(paths));
            return new Invocation(args, env, List.copyOf(w), cleanup, checks, servedSni, served);
        }

        Invocation cleanup(Step step) {
            List<Step> c = new ArrayList<>(cleanup);
            c.add(step);
            return new Invocation(args, env, watched, List.copyOf(c), checks, servedSni, served);
        }

        Invocation check(Step step) {
            List<Step> c = new ArrayList<>(checks);
            c.add(step);
            return new Invocation(args, env, watched, cleanup, List.copyOf(c), servedSni, served);
        }

        Invocation serves(String sni, dev.hapcert.testkit.TestCertificates.Issued issued) {
            return new Invocation(args, env, watched, cleanup, checks, sni, issued);
        }
    }
}
