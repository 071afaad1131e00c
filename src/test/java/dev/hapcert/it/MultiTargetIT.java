package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run, two HAProxy targets from one hapcert.yml: both are served and reported; one down is a partial failure. */
class MultiTargetIT {
    @TempDir
    Path tmp;
    private HaproxyProcess east;
    private HaproxyProcess west;
    private Path config;

    @BeforeEach
    void start() {
        east = HaproxyProcess.builder().crtBase().start();
        west = HaproxyProcess.builder().crtBase().start();
        config = HapcertYml.write(tmp, HapcertYml.adminSocket("east", east), HapcertYml.adminSocket("west", west));
    }

    @AfterEach
    void stop() {
        east.close();
        west.close();
    }

    @Test
    void bothTargetsGetTheCertificateAndAreReported() {
        TestCertificates.Issued issued = leaf(Instant.now().minus(Duration.ofHours(1)));
        CommandRun run = deploy(BundleFiles.write(tmp, "both", issued), "--json");
        assertThat(run.exitCode()).as(run.describe()).isZero();

        Map<String, Object> report = JsonTree.object(run.stdout());
        assertThat(DeployBehaviourIT.results(report)).extracting(r -> r.get("target"), r -> r.get("outcome"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("east", "added"),
                        org.assertj.core.groups.Tuple.tuple("west", "added"));
        for (HaproxyProcess h : new HaproxyProcess[] {east, west}) {
            assertThat(h.servedCertificate("multi.example.test")).isEqualTo(issued.leaf());
            assertThat(RuntimeApiProbe.loadedSerial(h.adminSocket(), certName(h))).contains(issued.serialHex());
        }
    }

    @Test
    void oneTargetDownIsAPartialFailureAndTheOtherIsStillUpdated() {
        TestCertificates.Issued first = leaf(Instant.now().minus(Duration.ofHours(2)));
        assertThat(deploy(BundleFiles.write(tmp, "first", first)).exitCode()).isZero();
        west.stop();

        TestCertificates.Issued renewed = leaf(Instant.now().minus(Duration.ofHours(1)));
        CommandRun run = deploy(BundleFiles.write(tmp, "renewed", renewed));
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(6);
        assertThat(run.stdout().lines()).hasSize(2)
                .anySatisfy(line -> assertThat(line).startsWith("east  ").contains("updated")
                        .contains(first.serialHex() + " -> " + renewed.serialHex()))
                .anySatisfy(line -> assertThat(line).startsWith("west  ").contains("unreachable"));
        assertThat(east.servedCertificate("multi.example.test")).isEqualTo(renewed.leaf());
        assertThat(RuntimeApiProbe.loadedSerial(east.adminSocket(), certName(east))).contains(renewed.serialHex());

        // West comes back with what its disk holds (the first certificate); the same run again converges.
        west.restart();
        assertThat(west.servedCertificate("multi.example.test")).isEqualTo(first.leaf());
        CommandRun rerun = deploy(BundleFiles.write(tmp, "renewed-again", renewed));
        assertThat(rerun.exitCode()).as(rerun.describe()).isZero();
        assertThat(rerun.stdout().lines())
                .anySatisfy(line -> assertThat(line).startsWith("east  ").contains("unchanged"))
                .anySatisfy(line -> assertThat(line).startsWith("west  ").contains("updated"));
        assertThat(west.servedCertificate("multi.example.test")).isEqualTo(renewed.leaf());
    }

    private CommandRun deploy(BundleFiles files, String... more) {
        return Hapcert.run(Args.of("deploy", "--config", config.toString()).add(files.options()).add(more).toArray());
    }

    private static String certName(HaproxyProcess h) {
        return h.certsDir().resolve("multi.example.test.pem").toString();
    }

    /** Both HAProxies trust nothing in particular; one CA (east's) signs the certificate for both. */
    private TestCertificates.Issued leaf(Instant notBefore) {
        return east.ca().leaf("multi.example.test").validity(notBefore, notBefore.plus(Duration.ofDays(90)))
                .serial(BigInteger.valueOf(notBefore.getEpochSecond())).issue();
    }
}
