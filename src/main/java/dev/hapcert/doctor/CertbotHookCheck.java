package dev.hapcert.doctor;

import dev.hapcert.error.ConfigException;
import dev.hapcert.install.CertbotHook;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * certbot will call hapcert after a renewal: hapcert's hook in {@code renewal-hooks/deploy/} is executable and its
 * launcher exists, or every lineage's {@code renew_hook} (saved from {@code --deploy-hook}) mentions hapcert.
 */
final class CertbotHookCheck {
    static final String ID = "certbot-hook";
    private static final int SHOWN = 3;

    private final Path configDir;

    CertbotHookCheck(Path configDir) {
        this.configDir = configDir;
    }

    List<Finding> run() {
        if (!Files.isDirectory(configDir)) {
            return List.of(Finding.ok(ID, Finding.HOST, "no certbot config directory at " + configDir
                    + " (give --certbot-dir if certbot uses another)"));
        }
        CertbotHook hook = new CertbotHook(configDir);
        String install = "hapcert install certbot --config-dir " + configDir;
        try {
            switch (hook.state()) {
                case INSTALLED -> {
                    Optional<Path> launcher = hook.launcher();
                    if (launcher.isEmpty() || !Files.isExecutable(launcher.get())) {
                        return List.of(Finding.fail(ID, Finding.HOST, hook.file() + " runs "
                                + launcher.map(Path::toString).orElse("an unreadable command")
                                + ", which is not an executable file", "run `" + install + "` again from the"
                                + " current hapcert installation"));
                    }
                    return List.of(Finding.ok(ID, Finding.HOST, "installed: " + hook.file() + " runs " + launcher.get()));
                }
                case NOT_EXECUTABLE -> {
                    return List.of(Finding.fail(ID, Finding.HOST, hook.file() + " is not executable, so certbot skips it",
                            "chmod 755 " + hook.file() + ", or run `" + install + "` again"));
                }
                case FOREIGN -> {
                    boolean callsHapcert = Files.isExecutable(hook.file())
                            && Files.readString(hook.file(), StandardCharsets.UTF_8).contains("hapcert");
                    if (callsHapcert) {
                        return List.of(Finding.ok(ID, Finding.HOST, hook.file() + " (not written by hapcert install)"
                                + " calls hapcert"));
                    }
                    return List.of(Finding.warn(ID, Finding.HOST, hook.file() + " exists but does not call hapcert"
                            + " and was not written by it", "rename that file, then run `" + install + "`"));
                }
                case ABSENT -> {
                    return renewHooks(install);
                }
                default -> throw new IllegalStateException();
            }
        } catch (ConfigException | IOException e) {
            return List.of(Finding.warn(ID, Finding.HOST, "cannot inspect " + hook.file() + ": " + e.getMessage(),
                    "let the user running doctor read " + configDir));
        }
    }

    /** No directory hook: do the lineages' own renew_hook lines call hapcert? */
    private List<Finding> renewHooks(String install) throws IOException {
        Path renewal = configDir.resolve("renewal");
        List<String> without = new ArrayList<>();
        int lineages = 0;
        if (Files.isDirectory(renewal)) {
            try (DirectoryStream<Path> confs = Files.newDirectoryStream(renewal, "*.conf")) {
                for (Path conf : confs) {
                    lineages++;
                    if (!renewHookCallsHapcert(conf)) {
                        String file = conf.getFileName().toString();
                        without.add(file.substring(0, file.length() - ".conf".length()));
                    }
                }
            }
        }
        if (lineages > 0 && without.isEmpty()) {
            return List.of(Finding.ok(ID, Finding.HOST, "every lineage's renew_hook calls hapcert (" + lineages + ")"));
        }
        if (lineages == 0) {
            return List.of(Finding.ok(ID, Finding.HOST, "no certbot lineages in " + configDir + " yet (`" + install
                    + "` before issuing the first one wires certbot to hapcert)"));
        }
        String which = without.size() + " of " + lineages + " lineage(s) renew without calling hapcert: " + shorten(without);
        return List.of(Finding.warn(ID, Finding.HOST, "hapcert's certbot hook is not installed (" + which + ")",
                "run `" + install + "`: it installs the hook for every lineage and deploys the existing ones now"));
    }

    private static boolean renewHookCallsHapcert(Path conf) throws IOException {
        for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
            String s = line.strip();
            if (s.startsWith("renew_hook") && s.contains("=") && s.substring(s.indexOf('=')).contains("hapcert")) {
                return true;
            }
        }
        return false;
    }

    private static String shorten(List<String> items) {
        List<String> shown = items.subList(0, Math.min(SHOWN, items.size()));
        return String.join(", ", shown) + (items.size() > SHOWN ? " and " + (items.size() - SHOWN) + " more" : "");
    }
}
