package dev.hapcert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.install.CertbotHook;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hapcert install certbot} / {@code uninstall certbot} on a certbot config dir laid out as certbot 2.1 leaves
 * it (archive files, relative live symlinks, renewal confs) with existing lineages, into a real HAProxy. That certbot
 * really runs the hook after a renewal is checked in {@code ClientsIT}.
 */
class InstallCommandTest {
    @TempDir
    Path tmp;
    HaproxyProcess haproxy;
    Path le;

    @BeforeEach
    void start() throws Exception {
        haproxy = HaproxyProcess.builder().start();
        le = Files.createDirectories(tmp.resolve("letsencrypt"));
    }

    @AfterEach
    void stop() {
        haproxy.close();
    }

    private record Run(int code, String out, String err) {
    }

    private Run hapcert(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new Cli(new PrintWriter(out), new PrintWriter(err), env).run(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run install(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("install", "certbot", "--config-dir", le.toString(),
                "--haproxy-config", haproxy.config().toString()));
        args.addAll(List.of(extra));
        return hapcert(Map.of(), args.toArray(String[]::new));
    }

    private CertbotHook hook() {
        return new CertbotHook(le);
    }

    @Test
    void installsTheHookAndDeploysEveryExistingLineageThenChangesNothingTheSecondTime() throws Exception {
        TestCertificates.Issued app = lineage("app.example.test", "app.example.test", "www.example.test");
        TestCertificates.Issued api = lineage("api.example.test", "api.example.test");

        Run first = install();

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.err()).contains("installed the certbot deploy hook " + hook().file());
        assertThat(haproxy.servedCertificate("www.example.test").getSerialNumber()).isEqualTo(app.leaf().getSerialNumber());
        assertThat(haproxy.servedCertificate("api.example.test").getSerialNumber()).isEqualTo(api.leaf().getSerialNumber());
        assertThat(first.out().lines().filter(l -> l.contains(" added ")).count()).isEqualTo(2);
        assertThat(Files.readString(haproxy.crtList())).contains("app.example.test.pem").contains("api.example.test.pem");

        String script = Files.readString(hook().file());
        Path launcher = Path.of("bin/hapcert").toAbsolutePath();
        assertThat(script).startsWith("#!/bin/sh\n").contains(CertbotHook.MARKER)
                .contains("exec '" + launcher + "' deploy '--haproxy-config' '" + haproxy.config() + "'\n")
                .as("the Java that ran the install").contains("JAVA_HOME='" + System.getProperty("java.home") + "'\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(hook().file()))).isEqualTo("rwxr-xr-x");
        assertThat(hook().launcher()).contains(launcher);
        try (var files = Files.list(hook().deployDir())) {
            assertThat(files).as("no temporary file left").containsExactly(hook().file());
        }

        FileTime written = Files.getLastModifiedTime(hook().file());
        Thread.sleep(20);
        Run second = install();
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.err()).contains("already installed (unchanged)");
        assertThat(Files.readString(hook().file())).isEqualTo(script);
        assertThat(Files.getLastModifiedTime(hook().file())).isEqualTo(written);
        assertThat(second.out().lines().filter(l -> l.contains(" unchanged ")).count()).isEqualTo(2);
    }

    @Test
    void otherTargetOptionsAreWrittenIntoTheHookAndAChangeUpdatesIt() throws Exception {
        Path yml = tmp.resolve("conf dir/hapcert.yml");
        Files.createDirectories(yml.getParent());
        Files.writeString(yml, """
                targets:
                  - name: edge
                    runtime-api: %s
                    crt-list: %s
                """.formatted(haproxy.adminSocket(), haproxy.crtList()));

        Run viaEnv = hapcert(Map.of("HAPCERT_CONFIG", yml.toString()), "install", "certbot", "--config-dir", le.toString());
        assertThat(viaEnv.code()).as(viaEnv.err()).isZero();
        assertThat(Files.readString(hook().file())).contains("deploy '--config' '" + yml + "'\n");
        assertThat(viaEnv.err()).contains("no certbot lineages");

        Run withTarget = hapcert(Map.of(), "install", "certbot", "--config-dir", le.toString(), "--config", yml.toString(),
                "--target", "edge");
        assertThat(withTarget.code()).as(withTarget.err()).isZero();
        assertThat(withTarget.err()).contains("updated");
        assertThat(Files.readString(hook().file())).contains("deploy '--config' '" + yml + "' '--target' 'edge'\n");
    }

    @Test
    void aTargetConfigurationThatDoesNotLoadWritesNoHook() {
        Run run = hapcert(Map.of(), "install", "certbot", "--config-dir", le.toString(), "--haproxy-config",
                tmp.resolve("missing.cfg").toString());

        assertThat(run.code()).isEqualTo(8);
        assertThat(Files.exists(hook().file())).isFalse();
    }

    @Test
    void noDeployOnlyInstalls() throws Exception {
        lineage("app.example.test", "app.example.test");

        Run run = install("--no-deploy");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(Files.isExecutable(hook().file())).isTrue();
        assertThat(run.out()).isEmpty();
        assertThat(Files.readString(haproxy.crtList())).isEmpty();
    }

    @Test
    void uninstallRemovesOnlyHapcertsHook() throws Exception {
        Path other = hook().deployDir().resolve("reload-nginx");
        assertThat(install("--no-deploy").code()).isZero();
        Files.writeString(other, "#!/bin/sh\n# runs hapcert too, but is not ours\n");

        Run removed = hapcert(Map.of(), "uninstall", "certbot", "--config-dir", le.toString());
        assertThat(removed.code()).as(removed.err()).isZero();
        assertThat(removed.err()).contains("removed");
        assertThat(Files.exists(hook().file())).isFalse();
        assertThat(Files.readString(other)).contains("not ours");

        Run again = hapcert(Map.of(), "uninstall", "certbot", "--config-dir", le.toString());
        assertThat(again.code()).isZero();
        assertThat(again.err()).contains("nothing to remove");
    }

    @Test
    void aFileHapcertDidNotWriteIsNeverReplacedOrRemoved() throws Exception {
        Files.createDirectories(hook().deployDir());
        String foreign = "#!/bin/sh\nexec /usr/local/bin/hapcert deploy\n";
        Files.writeString(hook().file(), foreign);

        Run install = install();
        Run uninstall = hapcert(Map.of(), "uninstall", "certbot", "--config-dir", le.toString());

        assertThat(install.code()).isEqualTo(8);
        assertThat(install.err()).contains("was not written by hapcert");
        assertThat(uninstall.code()).isEqualTo(8);
        assertThat(Files.readString(hook().file())).isEqualTo(foreign);
    }

    @Test
    void unknownClientsAreAUsageError() {
        assertThat(hapcert(Map.of(), "install", "lego").code()).isEqualTo(2);
    }

    /** A lineage as certbot 2.1 writes it: archive/NAME/*1.pem, relative live/NAME symlinks, renewal/NAME.conf. */
    private TestCertificates.Issued lineage(String name, String... domains) throws Exception {
        TestCertificates.Issued cert = haproxy.mint(domains);
        Path archive = Files.createDirectories(le.resolve("archive").resolve(name));
        Path live = Files.createDirectories(le.resolve("live").resolve(name));
        Files.writeString(archive.resolve("cert1.pem"), cert.certPem());
        Files.writeString(archive.resolve("chain1.pem"), cert.chainPem());
        Files.writeString(archive.resolve("fullchain1.pem"), cert.fullchainPem());
        HaproxyProcess.writePrivate(archive.resolve("privkey1.pem"), cert.keyPkcs8Pem());
        for (String kind : List.of("cert", "chain", "fullchain", "privkey")) {
            Files.createSymbolicLink(live.resolve(kind + ".pem"), Path.of("../../archive/" + name + "/" + kind + "1.pem"));
        }
        Files.createDirectories(le.resolve("renewal"));
        Files.writeString(le.resolve("renewal").resolve(name + ".conf"), """
                version = 2.1.0
                archive_dir = %1$s/archive/%2$s
                cert = %1$s/live/%2$s/cert.pem
                privkey = %1$s/live/%2$s/privkey.pem
                chain = %1$s/live/%2$s/chain.pem
                fullchain = %1$s/live/%2$s/fullchain.pem

                [renewalparams]
                authenticator = standalone
                """.formatted(le, name));
        return cert;
    }
}
