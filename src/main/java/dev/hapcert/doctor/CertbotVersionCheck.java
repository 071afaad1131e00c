package dev.hapcert.doctor;

import dev.hapcert.install.CertbotVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** certbot's version, and whether its directory deploy hooks run when a certificate is first issued (5.3.0+). */
final class CertbotVersionCheck {
    static final String ID = "certbot";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String executable;
    private final Path configDir;

    CertbotVersionCheck(String executable, Path configDir) {
        this.executable = executable;
        this.configDir = configDir;
    }

    List<Finding> run() {
        Optional<CertbotVersion> version = CertbotVersion.detect(executable, TIMEOUT);
        if (version.isEmpty()) {
            return List.of(Finding.ok(ID, Finding.HOST, "certbot not found (" + executable + " --version)"
                    + (Files.isDirectory(configDir) ? "; its config directory " + configDir + " exists" : "")));
        }
        return List.of(judge(version.get(), configDir));
    }

    static Finding judge(CertbotVersion version, Path configDir) {
        if (version.runsDirectoryHooksOnFirstIssuance()) {
            return Finding.ok(ID, Finding.HOST, "certbot " + version + " runs renewal-hooks/deploy/ on first issuance"
                    + " and on renewals");
        }
        return Finding.warn(ID, Finding.HOST, "certbot " + version + " runs renewal-hooks/deploy/ on renewals only,"
                + " not when a certificate is first issued (that came in certbot " + CertbotVersion.HOOKS_ON_FIRST_ISSUANCE
                + "): a new certificate would wait for its first renewal",
                "after issuing a new certificate run `hapcert sync --source certbot:" + configDir + "`, or issue with"
                        + " `certbot certonly --deploy-hook 'hapcert deploy' ...` (certbot keeps that hook for renewals)");
    }
}
