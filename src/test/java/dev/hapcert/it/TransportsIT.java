package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way of reaching a Runtime API deploys for real: the master CLI of a master-worker HAProxy, a TCP stats
 * socket, and the admin socket found in haproxy.cfg with no hapcert.yml at all.
 */
class TransportsIT {
    @TempDir
    Path tmp;

    @Test
    void deploysThroughTheMasterCli() throws Exception {
        try (HaproxyProcess haproxy = HaproxyProcess.builder().masterWorker().crtBase().start()) {
            Path config = HapcertYml.write(tmp, new HapcertYml("master", haproxy.masterSocket().toString(), true, haproxy));
            assertDeploys(haproxy, "--config", config.toString());
        }
    }

    @Test
    void deploysThroughATcpSocket() throws Exception {
        try (HaproxyProcess haproxy = HaproxyProcess.builder().tcpSocket().crtBase().start()) {
            Path config = HapcertYml.write(tmp, new HapcertYml("tcp", haproxy.tcpAddress(), false, haproxy));
            assertDeploys(haproxy, "--config", config.toString());
        }
    }

    @Test
    void deploysWithZeroConfigFromHaproxyCfg() throws Exception {
        try (HaproxyProcess haproxy = HaproxyProcess.builder().crtBase().start()) {
            // The discovered target is named after the file; crt-base is the certificate directory.
            CommandRun run = assertDeploys(haproxy, "--haproxy-config", haproxy.config().toString());
            assertThat(run.stdout()).startsWith("haproxy  ");
            Hapcert.removeZeroConfigLock(haproxy);
        }
    }

    /** Deploys a fresh certificate with these target options and checks HAProxy, the disk and the crt-list. */
    private CommandRun assertDeploys(HaproxyProcess haproxy, String... targetOptions) throws Exception {
        TestCertificates.Issued issued = haproxy.mint("via.example.test", "alt.via.example.test");
        BundleFiles files = BundleFiles.write(tmp, "bundle", issued);
        CommandRun run = Hapcert.run(Args.of("deploy").add(targetOptions).add(files.options()).toArray());
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stdout()).contains("added").contains(issued.serialHex());

        Path bundle = haproxy.certsDir().resolve("via.example.test.pem");
        assertThat(haproxy.servedCertificate("via.example.test")).isEqualTo(issued.leaf());
        assertThat(haproxy.servedCertificate("alt.via.example.test")).isEqualTo(issued.leaf());
        assertThat(RuntimeApiProbe.loadedSerial(haproxy.adminSocket(), bundle.toString())).contains(issued.serialHex());
        assertThat(Files.readAllLines(haproxy.crtList())).containsExactly(bundle.toString());
        assertThat(Files.readString(bundle)).contains(issued.certPem().strip());
        // The bundle holds the private key: readable by its owner only (the default files.mode).
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle))).isEqualTo("rw-------");
        return run;
    }
}
