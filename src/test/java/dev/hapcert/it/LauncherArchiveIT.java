package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's two class-data archives: the hook's, recorded by the first deploy, and the one of the other
 * commands, recorded by the first sync, status, doctor or issuers that does its work; neither by a run that fails
 * nor by help, and each reused rather than recorded again.
 */
class LauncherArchiveIT {
    @TempDir
    Path tmp;
    private HaproxyProcess haproxy;
    private Map<String, String> env;

    @BeforeEach
    void start() {
        haproxy = HaproxyProcess.builder().start();
        env = Map.of("HAPCERT_CACHE_DIR", tmp.resolve("cache").toString());
    }

    @AfterEach
    void stop() {
        haproxy.close();
        Hapcert.removeZeroConfigLock(haproxy);
    }

    private List<String> archives() throws Exception {
        Path cache = tmp.resolve("cache");
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (var files = Files.list(cache)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void eachKindOfCommandRecordsItsOwnArchiveOnceAndReusesIt() throws Exception {
        String cfg = haproxy.config().toString();
        assertThat(Hapcert.run(env, "--help").exitCode()).isZero();
        // A command's own help exits 0 too, having loaded the help printer instead of the command's classes.
        assertThat(Hapcert.run(env, "deploy", "--help").exitCode()).isZero();
        assertThat(Hapcert.run(env, "sync", "-h").exitCode()).isZero();
        assertThat(Hapcert.run(env, "status", "--version").exitCode()).isZero();
        assertThat(Hapcert.run(env, "status", "--haproxy-config", tmp.resolve("none.cfg").toString()).exitCode())
                .as("a failed run").isEqualTo(8);
        assertThat(archives()).as("neither help, a version nor a failed run records").isEmpty();

        CommandRun status = Hapcert.run(env, "status", "--haproxy-config", cfg);
        assertThat(status.exitCode()).as(status.describe()).isIn(0, 9);
        assertThat(archives()).singleElement().asString().matches("hapcert-.+-cli\\.(jsa|aot)");
        Path cli = tmp.resolve("cache").resolve(archives().get(0));
        FileTime recorded = Files.getLastModifiedTime(cli);

        Path bundle = tmp.resolve("site.pem");
        HaproxyProcess.writePrivate(bundle, haproxy.mint("archive.hapcert.test").haproxyPem());
        CommandRun deploy = Hapcert.run(env, "deploy", "--haproxy-config", cfg, "--cert", bundle.toString());
        assertThat(deploy.exitCode()).as(deploy.describe()).isZero();
        assertThat(archives()).as("the hook's own").hasSize(2).anyMatch(n -> !n.contains("-cli."));

        CommandRun again = Hapcert.run(env, "status", "--haproxy-config", cfg);
        assertThat(again.exitCode()).as(again.describe()).isIn(0, 9);
        assertThat(again.stdout()).contains("archive.hapcert.test");
        assertThat(Files.getLastModifiedTime(cli)).as("reused, not recorded again").isEqualTo(recorded);
        assertThat(archives()).hasSize(2);
    }

    /**
     * A renewal through the hook's archive, with the key as OpenSSL (and so certbot) writes it: the JVM loads every
     * class from the archive and never opens the jar (which a service lookup on the class path would: 7 ms of CPU for
     * its 16,000 entries) nor looks up the JDK's EC provider. The launcher's JDK is the one running this test.
     */
    @Test
    void aRenewalThroughTheHooksArchiveNeitherOpensTheJarNorLooksUpTheEcProvider() throws Exception {
        String cfg = haproxy.config().toString();
        Path bundle = tmp.resolve("site.pem");
        writeAsCertbotWould(bundle, haproxy.mint("renewed.hapcert.test"));
        CommandRun first = Hapcert.run(env, "deploy", "--haproxy-config", cfg, "--cert", bundle.toString());
        assertThat(first.exitCode()).as(first.describe()).isZero();
        assertThat(archives()).as("the hook's archive").singleElement();

        writeAsCertbotWould(bundle, haproxy.mint("renewed.hapcert.test"));
        Path classes = tmp.resolve("classes.log");
        Map<String, String> logged = Map.of("HAPCERT_CACHE_DIR", env.get("HAPCERT_CACHE_DIR"),
                "HAPCERT_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
        CommandRun renewal = Hapcert.run(logged, "deploy", "--haproxy-config", cfg, "--cert", bundle.toString());
        assertThat(renewal.exitCode()).as(renewal.describe()).isZero();
        assertThat(renewal.stdout()).contains("updated");

        List<String> lines = Files.readAllLines(classes);
        assertThat(lines).as("classes loaded").hasSizeGreaterThan(500);
        assertThat(lines).as("no class from the jar itself").noneMatch(l -> l.contains("source: file:") || l.contains("source: jar:"));
        if (Runtime.version().feature() < 25) {
            // JDK 25's AOT cache loads every class it holds as the JVM starts, ZipFile's among them, so there the
            // class-load log cannot tell whether the jar's directory is read.
            assertThat(lines).as("the jar's directory never read").noneMatch(l -> l.contains(" java.util.zip.ZipFile$Source "));
        }
        assertThat(lines).noneMatch(l -> l.contains(" sun.security.ec."));
    }

    private static void writeAsCertbotWould(Path bundle, dev.hapcert.testkit.TestCertificates.Issued issued) {
        HaproxyProcess.writePrivate(bundle, issued.fullchainPem() + issued.keyAsCertbotWritesIt());
    }
}
