package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.Certbot;
import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.FreePorts;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.Pebble;
import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each ACME client puts its certificates into a real HAProxy through its own hook mechanism and the packaged
 * launcher: lego 4.9 ({@code --run-hook}, then {@code renew --renew-hook}), dehydrated ({@code HOOK=} the shipped
 * {@code contrib/dehydrated/hook.sh}), acme.sh (the shipped {@code contrib/acme.sh/hapcert.sh} sourced the way acme.sh
 * sources deploy hooks; acme.sh is no Debian package, so its home is laid out by the test), and certbot through
 * {@code hapcert install certbot} and a real {@code certbot renew}. Then {@code sync} reads the stores of lego,
 * dehydrated and acme.sh in one run. Every certificate is checked by a TLS handshake with SNI and in the crt-list.
 * Needs {@code apt-get install -y haproxy pebble certbot lego dehydrated}.
 */
class ClientsIT {
    private static final Path HOME = Path.of(System.getProperty("hapcert.home", ".")).toAbsolutePath().normalize();
    private static final Path LAUNCHER = HOME.resolve("bin/hapcert");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path tmp;
    static Pebble pebble;
    HaproxyProcess haproxy;
    Path work;

    @BeforeAll
    static void startPebble() {
        assertThat(LAUNCHER).as("the launcher, with target/hapcert.jar built by package").isExecutable();
        pebble = Pebble.start(tmp.resolve("pebble"));
    }

    @AfterAll
    static void stopPebble() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @BeforeEach
    void startHaproxy() throws IOException {
        haproxy = HaproxyProcess.builder().start();
        work = Files.createTempDirectory(tmp, "case");
    }

    @AfterEach
    void stopHaproxy() {
        haproxy.close();
    }

    // ---- lego ---------------------------------------------------------------------------------------------------

    @Test
    void legoRunAndRenewHooksDeployIntoHaproxy() throws Exception {
        Path path = work.resolve("lego");
        Path hook = script("lego-hook", "exec " + sq(LAUNCHER) + " deploy --haproxy-config " + sq(haproxy.config()));

        CommandRun run = lego(path, List.of("run", "--run-hook", hook.toString()), "lego.example.test", "www.lego.example.test");
        assertThat(run.exitCode()).as(run.describe()).isZero();
        Path crt = path.resolve("certificates/lego.example.test.crt");
        BigInteger issued = leafSerial(crt);
        assertServed(issued, "lego.example.test", "www.lego.example.test");
        assertThat(crtList()).contains(haproxy.dir().resolve("lego.example.test.pem").toString());

        CommandRun renew = lego(path, List.of("renew", "--days", "100000", "--no-random-sleep", "--renew-hook",
                hook.toString()), "lego.example.test", "www.lego.example.test");
        assertThat(renew.exitCode()).as(renew.describe()).isZero();
        BigInteger renewed = leafSerial(crt);
        assertThat(renewed).isNotEqualTo(issued);
        assertServed(renewed, "lego.example.test", "www.lego.example.test");
        assertThat(crtList().lines().filter(l -> l.contains("lego.example.test.pem")).count()).as("updated, not added twice")
                .isEqualTo(1);
    }

    private CommandRun lego(Path path, List<String> action, String... domains) {
        List<String> cmd = new ArrayList<>(List.of("lego", "--server", pebble.directoryUrl(), "--accept-tos",
                "--email", "ops@example.org", "--path", path.toString(), "--key-type", "ec256",
                "--http", "--http.port", "127.0.0.1:" + FreePorts.next()));
        for (String d : domains) {
            cmd.addAll(List.of("--domains", d));
        }
        cmd.addAll(action);
        return CommandRun.run(cmd, Map.of("LEGO_CA_CERTIFICATES", pebble.caBundle().toString()), work, CLIENT_TIMEOUT);
    }

    // ---- dehydrated ---------------------------------------------------------------------------------------------

    @Test
    void dehydratedHookDeploysIntoHaproxy() throws Exception {
        Path base = work.resolve("dehydrated");

        CommandRun run = dehydrated(base, HOME.resolve("contrib/dehydrated/hook.sh"), "dehy.example.test www.dehy.example.test");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        BigInteger issued = leafSerial(base.resolve("certs/dehy.example.test/cert.pem"));
        assertServed(issued, "dehy.example.test", "www.dehy.example.test");
        assertThat(crtList()).contains(haproxy.dir().resolve("dehy.example.test.pem").toString());
    }

    /** dehydrated --cron for one domains.txt line; {@code hook} null: no hook. */
    private CommandRun dehydrated(Path base, Path hook, String domainsLine) throws IOException {
        Files.createDirectories(work.resolve("well-known"));
        Files.createDirectories(base);
        Files.writeString(work.resolve("domains.txt"), domainsLine + "\n");
        String config = """
                CA="%s"
                CHALLENGETYPE="http-01"
                WELLKNOWN="%s"
                BASEDIR="%s"
                DOMAINS_TXT="%s"
                CURL_OPTS="--cacert %s"
                KEY_ALGO=prime256v1
                """.formatted(pebble.directoryUrl(), work.resolve("well-known"), base, work.resolve("domains.txt"),
                pebble.caBundle());
        if (hook != null) {
            config += """
                    HOOK="%s"
                    export HAPCERT_BIN="%s"
                    export HAPCERT_ARGS="--haproxy-config %s"
                    """.formatted(hook, LAUNCHER, haproxy.config());
        }
        Files.writeString(work.resolve("dehydrated.conf"), config);
        return CommandRun.run(List.of("dehydrated", "--config", work.resolve("dehydrated.conf").toString(), "--cron",
                "--accept-terms"), Map.of(), work, CLIENT_TIMEOUT);
    }

    // ---- acme.sh ------------------------------------------------------------------------------------------------

    @Test
    void acmeShDeployHookDeploysIntoHaproxy() throws Exception {
        Path home = work.resolve("acme.sh");
        TestCertificates.Issued cert = issueLikeAnAcmeCa("acme.example.test", "www.acme.example.test");
        Path dir = acmeShDomain(home, "acme.example.test", cert);

        CommandRun run = acmeShDeploy(dir, "acme.example.test", Map.of("HAPCERT_BIN", LAUNCHER.toString(),
                "HAPCERT_ARGS", "--haproxy-config " + haproxy.config()));

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertServed(cert.leaf().getSerialNumber(), "acme.example.test", "www.acme.example.test");
        assertThat(crtList()).contains(haproxy.dir().resolve("acme.example.test_ecc.pem").toString());
        assertThat(Files.readString(dir.resolve("acme.example.test.conf")))
                .as("acme.sh keeps the settings for renewals").contains("SAVED_HAPCERT_BIN='" + LAUNCHER + "'");
    }

    /** acme.sh's layout for an ECDSA certificate: HOME/DOMAIN_ecc/{DOMAIN.conf,DOMAIN.key,DOMAIN.cer,ca.cer,fullchain.cer}. */
    private static Path acmeShDomain(Path home, String domain, TestCertificates.Issued cert) throws IOException {
        Path dir = Files.createDirectories(home.resolve(domain + "_ecc"));
        Files.writeString(dir.resolve(domain + ".conf"), """
                Le_Domain='%s'
                Le_Alt='no'
                Le_Webroot='no'
                Le_Keylength='ec-256'
                """.formatted(domain));
        HaproxyProcess.writePrivate(dir.resolve(domain + ".key"), cert.keyTraditionalPem());
        Files.writeString(dir.resolve(domain + ".cer"), cert.certPem());
        Files.writeString(dir.resolve("ca.cer"), cert.chainPem());
        Files.writeString(dir.resolve("fullchain.cer"), cert.fullchainPem());
        return dir;
    }

    /**
     * Sources the shipped hook under stand-ins for acme.sh's helpers (written for this test; a saved setting is
     * {@code SAVED_NAME='value'} in the domain conf, as in acme.sh) and calls {@code hapcert_deploy}.
     */
    private CommandRun acmeShDeploy(Path dir, String domain, Map<String, String> settings) {
        String harness = """
                _debug() { :; }
                _debug2() { :; }
                _info() { echo "$*" >&2; }
                _err() { echo "ERR $*" >&2; }
                _getdeployconf() {
                  eval "_v=\\${$1:-}"
                  if [ -z "$_v" ] && [ -f "$DOMAIN_CONF" ]; then
                    _v="$(sed -n "s/^SAVED_$1='\\(.*\\)'$/\\1/p" "$DOMAIN_CONF")"
                    eval "$1=\\$_v"
                  fi
                }
                _savedeployconf() {
                  sed -i "/^SAVED_$1=/d" "$DOMAIN_CONF"
                  printf "SAVED_%s='%s'\\n" "$1" "$2" >> "$DOMAIN_CONF"
                }
                . "$HOOK" || exit 90
                hapcert_deploy "$1" "$2" "$3" "$4" "$5"
                """;
        Map<String, String> env = new HashMap<>(settings);
        env.put("HOOK", HOME.resolve("contrib/acme.sh/hapcert.sh").toString());
        env.put("DOMAIN_CONF", dir.resolve(domain + ".conf").toString());
        return CommandRun.run(List.of("sh", "-c", harness, "acme.sh", domain, dir.resolve(domain + ".key").toString(),
                dir.resolve(domain + ".cer").toString(), dir.resolve("ca.cer").toString(),
                dir.resolve("fullchain.cer").toString()), env, work, Duration.ofSeconds(60));
    }

    // ---- certbot ------------------------------------------------------------------------------------------------

    @Test
    void certbotInstallDeploysExistingLineagesAndRenewalsRunTheHook() throws Exception {
        Certbot certbot = new Certbot(Files.createDirectories(work.resolve("certbot")), pebble);
        for (String name : List.of("one.certbot.test", "two.certbot.test")) {
            CommandRun issued = certbot.certonly(null, name);
            assertThat(issued.exitCode()).as(issued.describe()).isZero();
        }
        BigInteger one = leafSerial(certbot.live("one.certbot.test").resolve("cert.pem"));
        BigInteger two = leafSerial(certbot.live("two.certbot.test").resolve("cert.pem"));

        CommandRun install = hapcert("install", "certbot", "--config-dir", certbot.configDir().toString(),
                "--haproxy-config", haproxy.config().toString());
        assertThat(install.exitCode()).as(install.describe()).isZero();
        assertThat(install.stderr()).contains("installed the certbot deploy hook");
        assertServed(one, "one.certbot.test");
        assertServed(two, "two.certbot.test");
        Path hook = certbot.configDir().resolve("renewal-hooks/deploy/hapcert");
        assertThat(Files.readString(hook)).contains("exec '" + LAUNCHER + "' deploy");

        CommandRun renew = certbot.renew();
        assertThat(renew.exitCode()).as(renew.describe()).isZero();
        BigInteger oneRenewed = leafSerial(certbot.live("one.certbot.test").resolve("cert.pem"));
        BigInteger twoRenewed = leafSerial(certbot.live("two.certbot.test").resolve("cert.pem"));
        assertThat(oneRenewed).isNotEqualTo(one);
        assertServed(oneRenewed, "one.certbot.test");
        assertServed(twoRenewed, "two.certbot.test");

        CommandRun uninstall = hapcert("uninstall", "certbot", "--config-dir", certbot.configDir().toString());
        assertThat(uninstall.exitCode()).as(uninstall.describe()).isZero();
        assertThat(hook).doesNotExist();
        assertThat(certbot.configDir().resolve("renewal-hooks/deploy")).isDirectory();
    }

    // ---- sync from every store ----------------------------------------------------------------------------------

    @Test
    void syncReadsTheStoresOfLegoDehydratedAndAcmeShIntoHaproxy() throws Exception {
        Path legoPath = work.resolve("lego");
        CommandRun lego = lego(legoPath, List.of("run"), "sync-lego.example.test");
        assertThat(lego.exitCode()).as(lego.describe()).isZero();
        Path base = work.resolve("dehydrated");
        CommandRun dehydrated = dehydrated(base, null, "sync-dehy.example.test");
        assertThat(dehydrated.exitCode()).as(dehydrated.describe()).isZero();
        Path acmeHome = work.resolve("acme.sh");
        TestCertificates.Issued acme = issueLikeAnAcmeCa("sync-acme.example.test");
        acmeShDomain(acmeHome, "sync-acme.example.test", acme);

        String[] sync = {"sync", "--source", "lego:" + legoPath, "--source", "dehydrated:" + base, "--source",
            "acme.sh:" + acmeHome, "--haproxy-config", haproxy.config().toString()};
        CommandRun first = hapcert(sync);

        assertThat(first.exitCode()).as(first.describe()).isZero();
        assertThat(first.stdout().lines().filter(l -> l.contains(" added ")).count()).as(first.stdout()).isEqualTo(3);
        assertServed(leafSerial(legoPath.resolve("certificates/sync-lego.example.test.crt")), "sync-lego.example.test");
        assertServed(leafSerial(base.resolve("certs/sync-dehy.example.test/cert.pem")), "sync-dehy.example.test");
        assertServed(acme.leaf().getSerialNumber(), "sync-acme.example.test");
        assertThat(crtList()).contains("sync-lego.example.test.pem", "sync-dehy.example.test.pem",
                "sync-acme.example.test_ecc.pem");

        CommandRun again = hapcert(sync);
        assertThat(again.exitCode()).as(again.describe()).isZero();
        assertThat(again.stdout().lines().filter(l -> l.contains(" unchanged ")).count()).isEqualTo(3);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private CommandRun hapcert(String... args) {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        return CommandRun.run(cmd, Map.of(), work, Duration.ofSeconds(60));
    }

    /** A leaf under an intermediate, so that acme.sh's ca.cer has something in it, as it always does. */
    private TestCertificates.Issued issueLikeAnAcmeCa(String... names) {
        return haproxy.ca().intermediate("hapcert IT intermediate").leaf(names)
                .serial(new BigInteger(63, new java.security.SecureRandom()).add(BigInteger.ONE)).issue();
    }

    private void assertServed(BigInteger serial, String... names) {
        for (String name : names) {
            assertThat(haproxy.servedCertificate(name).getSerialNumber()).as("served for " + name).isEqualTo(serial);
        }
    }

    private String crtList() throws IOException {
        return Files.readString(haproxy.crtList());
    }

    private Path script(String name, String body) throws IOException {
        Path file = work.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        assertThat(file.toFile().setExecutable(true)).isTrue();
        return file;
    }

    private static String sq(Path p) {
        return "'" + p.toString().replace("'", "'\\''") + "'";
    }

    private static BigInteger leafSerial(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificates(in).iterator().next())
                    .getSerialNumber();
        }
    }
}
