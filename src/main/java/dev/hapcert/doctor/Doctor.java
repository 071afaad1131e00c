package dev.hapcert.doctor;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.AtOnce;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs every check and collects the findings: the configuration first, then per target the Runtime API, its level,
 * HAProxy's version, the crt-list, paths, writability, key file modes and leftover transactions, then certbot. The
 * targets and certbot are looked at side by side ({@link AtOnce}); the findings keep that order. A check
 * that cannot run because an earlier one failed (no connection, say) adds nothing; one check failing unexpectedly
 * becomes a finding and the others still run.
 */
public final class Doctor {
    private static final List<TargetCheck> TARGET_CHECKS = List.of(new ContainerCheck(), new RuntimeApiCheck(), new AdminLevelCheck(),
            new VersionCheck(), new CrtListCheck(), new PathCheck(), new WritableCheck(), new KeyModeCheck(),
            new TransactionCheck(), new IssuersCheck());

    /** Loads the targets; a {@link ConfigException} becomes the config check's failure. */
    @FunctionalInterface
    public interface TargetLoader {
        List<TargetConfig> load() throws ConfigException;
    }

    /**
     * @param certbotDir certbot's config directory
     * @param certbotCommand how to run certbot for its version ({@code certbot} from PATH by default)
     */
    public record Settings(Path certbotDir, String certbotCommand) {
        public Settings {
            Objects.requireNonNull(certbotDir, "certbotDir");
            Objects.requireNonNull(certbotCommand, "certbotCommand");
        }
    }

    private final Settings settings;
    private final Consumer<String> progress;

    /** @param progress told which target is being checked, for stderr */
    public Doctor(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public DoctorReport examine(TargetLoader loader) {
        List<Finding> findings = new ArrayList<>();
        List<TargetConfig> targets = List.of();
        try {
            targets = loader.load();
            findings.add(Finding.ok("config", Finding.HOST, "loaded " + targets.size() + " target(s): "
                    + String.join(", ", targets.stream().map(Doctor::describe).toList())));
        } catch (ConfigException e) {
            findings.add(Finding.fail("config", Finding.HOST, e.getMessage(), "fix what the message names (see"
                    + " docs/configuration.md), or point hapcert at the right file with --config FILE or"
                    + " --haproxy-config FILE"));
        }
        // The targets side by side, and certbot beside them: its --version is a Python start, about as long as a
        // target's checks. Findings keep this order: targets as configured, then certbot.
        List<Supplier<List<Finding>>> checks = new ArrayList<>();
        for (TargetConfig target : targets) {
            checks.add(() -> checkTarget(target));
        }
        checks.add(this::checkCertbot);
        for (List<Finding> found : AtOnce.each(checks, Supplier::get)) {
            findings.addAll(found);
        }
        return new DoctorReport(findings);
    }

    private List<Finding> checkTarget(TargetConfig target) {
        progress.accept("checking " + target.name());
        List<Finding> findings = new ArrayList<>();
        try (TargetProbe probe = TargetProbe.open(target)) {
            for (TargetCheck check : TARGET_CHECKS) {
                findings.addAll(runOne(check, probe));
            }
        }
        return findings;
    }

    private List<Finding> checkCertbot() {
        List<Finding> findings = new ArrayList<>(new CertbotVersionCheck(settings.certbotCommand(), settings.certbotDir()).run());
        findings.addAll(new CertbotHookCheck(settings.certbotDir()).run());
        return findings;
    }

    private static List<Finding> runOne(TargetCheck check, TargetProbe probe) {
        try {
            return check.run(probe);
        } catch (HapcertException e) {
            return List.of(Finding.fail(check.id(), probe.name(), e.getMessage(),
                    "fix what the message names, then run hapcert doctor again"));
        } catch (RuntimeException e) {
            // A defect in one check must not hide the others' findings.
            return List.of(Finding.fail(check.id(), probe.name(), "the check itself failed: " + e,
                    "report this message as a hapcert bug; the other checks are unaffected"));
        }
    }

    private static String describe(TargetConfig t) {
        return t.name() + " (runtime-api " + t.runtimeApi() + ", crt-list " + t.crtList() + ", cert-dir " + t.certDir() + ")";
    }
}
