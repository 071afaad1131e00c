package dev.hapcert.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.config.FileOwnership;
import dev.hapcert.config.LeftoverTransactionPolicy;
import dev.hapcert.config.PathMapping;
import dev.hapcert.config.ReloadConfig;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.source.CertificateFeed;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.testkit.HaproxyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The reload fallback with {@code --verify-tls} against a real master-worker HAProxy whose Runtime API address is
 * wrong: once HAProxy has reloaded with the new files, a check that fails is reported and the files stay, since they
 * are what HAProxy runs on and what its next restart loads.
 */
class ReloadFallbackVerificationTest {
    @Test
    void aFailedCheckAfterTheReloadIsReportedAndTheFilesHaproxyRunsOnStay() throws Exception {
        try (HaproxyProcess haproxy = HaproxyProcess.builder().masterWorker().start();
             HaproxyProcess elsewhere = HaproxyProcess.builder().start()) {
            TargetConfig target = new TargetConfig("edge", haproxy.dir().resolve("no-such.sock").toString(), false,
                    haproxy.crtList().toString(), haproxy.certsDir().toString(), PathMapping.IDENTITY,
                    FileOwnership.DEFAULT, Optional.of(new ReloadConfig(ReloadConfig.Method.MASTER_CLI, Optional.empty(),
                            Optional.empty(), Optional.of(haproxy.masterSocket().toString()), HaproxyProcess.HAPROXY)),
                    Optional.of(haproxy.config()), "", LeftoverTransactionPolicy.ABORT, haproxy.dir().resolve("edge.lock"),
                    Optional.empty(), TargetConfig.DEFAULT_PAYLOAD_LIMIT, Optional.empty());
            List<DesiredCertificate> certificates = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String name = "v" + i + ".reload.test";
                certificates.add(new DesiredCertificate(name, BundleReader.fromPem(haproxy.mint(name).haproxyPem(), name),
                        List.of(name), "test"));
            }
            // Checked against another HAProxy, which serves its default certificate for every name.
            DeployOptions options = new DeployOptions(false, false,
                    Optional.of(new DeployOptions.TlsEndpoint("127.0.0.1", elsewhere.httpsPort())), Duration.ofSeconds(10));
            List<CertificateResult> results = new ReloadFallback(target, options, m -> { }, Optional.empty(),
                    Duration.ofMillis(500)).deploy(CertificateFeed.of(certificates));

            assertThat(results).hasSize(3).allSatisfy(r -> {
                assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.VERIFY_FAILED);
                assertThat(r.detail()).contains("HAProxy reloaded").contains("not verified: after the reload 127.0.0.1:"
                        + elsewhere.httpsPort() + " serves serial");
            });
            String crtList = Files.readString(haproxy.crtList());
            for (DesiredCertificate c : certificates) {
                Path bundle = haproxy.certsDir().resolve(c.name() + ".pem");
                assertThat(bundle).exists();
                assertThat(crtList).contains(bundle + "\n");
                // The reloaded HAProxy serves what the files hold.
                assertThat(haproxy.servedCertificate(c.name()).getSerialNumber())
                        .isEqualTo(c.bundle().leaf().getSerialNumber());
            }
        }
    }
}
