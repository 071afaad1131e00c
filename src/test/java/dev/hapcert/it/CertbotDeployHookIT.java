package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.Certbot;
import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.Pebble;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's main story end to end: real certbot, against the real Pebble ACME test CA, runs {@code hapcert deploy}
 * (the launcher) as its deploy hook, and a real HAProxy 2.6 serves the certificate, renews into it without a reload,
 * and still serves it after a restart. Both ways of wiring the hook are covered: {@code --deploy-hook} and an
 * executable in {@code renewal-hooks/deploy/}.
 */
class CertbotDeployHookIT {
    @TempDir
    static Path shared;
    private static Pebble pebble;
    private static int[] certbotVersion;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPebble() {
        pebble = Pebble.start(shared.resolve("pebble"));
        CommandRun version = CommandRun.run(List.of("certbot", "--version"), Map.of(), null, Duration.ofSeconds(60));
        Matcher m = Pattern.compile("certbot (\\d+)\\.(\\d+)").matcher(version.stdout() + version.stderr());
        assertThat(m.find()).as(version.describe()).isTrue();
        certbotVersion = new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    @AfterAll
    static void stopPebble() {
        pebble.close();
    }

    @Test
    void deployHookIssuesRenewsAndPersists() throws Exception {
        try (HaproxyProcess haproxy = HaproxyProcess.builder().crtBase().start()) {
            Certbot certbot = new Certbot(Files.createDirectories(tmp.resolve("certbot")), pebble);
            String hook = Hapcert.deployHook("--haproxy-config", haproxy.config().toString(),
                    "--verify-tls", "127.0.0.1:" + haproxy.httpsPort());

            CommandRun issued = certbot.certonly(hook, "app.example.test", "www.app.example.test");
            assertThat(issued.exitCode()).as(issued.describe()).isZero();
            Path live = certbot.live("app.example.test");
            X509Certificate first = CertbotLive.leaf(live);
            assertServed(haproxy, first, "app.example.test", "www.app.example.test");
            String certName = haproxy.certsDir().resolve("app.example.test.pem").toString();
            assertThat(Files.readAllLines(haproxy.crtList())).containsExactly(certName);
            assertThat(Files.readAllLines(certbot.configDir().resolve("renewal/app.example.test.conf")))
                    .contains("renew_hook = " + hook);

            CommandRun renewed = certbot.renew();
            assertThat(renewed.exitCode()).as(renewed.describe()).isZero();
            X509Certificate second = CertbotLive.leaf(live);
            assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
            assertServed(haproxy, second, "app.example.test", "www.app.example.test");
            assertThat(Files.readAllLines(haproxy.crtList())).containsExactly(certName);

            // Persisted: a restart reads the bundle file and the crt-list, and serves the renewed certificate.
            haproxy.restart();
            assertServed(haproxy, second, "app.example.test", "www.app.example.test");

            // And what HAProxy loaded from disk is recognised as deployed: running the hook again changes nothing.
            FileState bundle = FileState.of(Path.of(certName));
            CommandRun again = Hapcert.run(Map.of("RENEWED_LINEAGE", live.toString(),
                    "RENEWED_DOMAINS", "app.example.test www.app.example.test"),
                    "deploy", "--haproxy-config", haproxy.config().toString());
            assertThat(again.exitCode()).as(again.describe()).isZero();
            assertThat(again.stdout()).contains("unchanged");
            assertThat(FileState.of(Path.of(certName))).isEqualTo(bundle);
            Hapcert.removeZeroConfigLock(haproxy);
        }
    }

    /**
     * Documents a certbot caveat: before certbot 5.3.0 (Debian 12 ships 2.1.0), executables in
     * {@code renewal-hooks/deploy/} run only on renewals, never after the first {@code certonly}. The first certificate
     * must be deployed with {@code --deploy-hook} or by running {@code hapcert deploy --lineage} once.
     */
    @Test
    void renewalHooksDirectoryRunsOnRenewalOnly() throws Exception {
        try (HaproxyProcess haproxy = HaproxyProcess.builder().crtBase().start()) {
            Certbot certbot = new Certbot(Files.createDirectories(tmp.resolve("certbot")), pebble);
            Path hookDir = Files.createDirectories(certbot.configDir().resolve("renewal-hooks/deploy"));
            Path script = hookDir.resolve("50-hapcert");
            Files.writeString(script, "#!/bin/sh\nexec " + Hapcert.deployHook("--haproxy-config",
                    haproxy.config().toString()) + "\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

            CommandRun issued = certbot.certonly(null, "dir.example.test");
            assertThat(issued.exitCode()).as(issued.describe()).isZero();
            Path live = certbot.live("dir.example.test");
            X509Certificate first = CertbotLive.leaf(live);
            boolean runsOnFirstIssuance = certbotVersion[0] > 5 || certbotVersion[0] == 5 && certbotVersion[1] >= 3;
            if (runsOnFirstIssuance) {
                assertServed(haproxy, first, "dir.example.test");
            } else {
                assertThat(haproxy.servedCertificate("dir.example.test")).isNotEqualTo(first);
                assertThat(Files.readString(haproxy.crtList())).isEmpty();
                assertThat(haproxy.certsDir().resolve("dir.example.test.pem")).doesNotExist();
            }

            CommandRun renewed = certbot.renew();
            assertThat(renewed.exitCode()).as(renewed.describe()).isZero();
            X509Certificate second = CertbotLive.leaf(live);
            assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
            assertServed(haproxy, second, "dir.example.test");
            assertThat(Files.readAllLines(haproxy.crtList()))
                    .containsExactly(haproxy.certsDir().resolve("dir.example.test.pem").toString());
            Hapcert.removeZeroConfigLock(haproxy);
        }
    }

    static void assertServed(HaproxyProcess haproxy, X509Certificate expected, String... names) {
        for (String name : names) {
            assertThat(haproxy.servedCertificate(name)).as("certificate served for " + name).isEqualTo(expected);
        }
    }
}
