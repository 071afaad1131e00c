package dev.hapcert.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles past HAProxy 2.6's 16 KB Runtime API payload limit ({@code tune.bufsize}; past it 2.6 drops the
 * connection without a word). Certificates plus key over the limit go as two payloads in one transaction (the
 * certificates, then {@code <name>.key}); certificates alone over it are refused with a clear message and exit 4,
 * and the certificate HAProxy served keeps serving.
 */
class LargeBundleIT {
    private static final int BUFSIZE = 16_384;
    /** Room the command line takes next to the payload ({@code set ssl cert <name> <<}), generously. */
    private static final int COMMAND_ROOM = 300;

    /** Leaf (RSA 4096) + 7 RSA 4096 intermediates: certificates fit in one payload, certificates + key do not. */
    private static TestCertificates.Issued keyTipsItOver;
    /** Leaf + 10 RSA 4096 intermediates: the certificates alone exceed one payload. */
    private static TestCertificates.Issued certificatesTooLarge;

    @TempDir
    Path tmp;
    private HaproxyProcess haproxy;
    private Path config;

    @BeforeAll
    static void mintLongChains() {
        TestCertificates.Authority issuer = TestCertificates.newRootCa("hapcert long chain root");
        List<TestCertificates.Authority> intermediates = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            issuer = issuer.intermediate("hapcert long chain intermediate " + i, KeyType.RSA_4096);
            intermediates.add(issuer);
        }
        Instant notBefore = Instant.now().minus(Duration.ofMinutes(30));
        keyTipsItOver = intermediates.get(6).leaf("big.example.test", "www.big.example.test").keyType(KeyType.RSA_4096)
                .validity(notBefore, notBefore.plus(Duration.ofDays(90))).serial(BigInteger.valueOf(0x6B16)).issue();
        certificatesTooLarge = intermediates.get(9).leaf("huge.example.test")
                .validity(notBefore, notBefore.plus(Duration.ofDays(90))).serial(BigInteger.valueOf(0x8B16)).issue();

        // The premises, checked rather than assumed: a change in the minting would otherwise make these tests vacuous.
        assertThat(keyTipsItOver.chain()).hasSize(7);
        assertThat(keyTipsItOver.fullchainPem().length()).isLessThan(BUFSIZE - COMMAND_ROOM);
        assertThat(keyTipsItOver.haproxyPem().length()).isGreaterThan(BUFSIZE);
        assertThat(certificatesTooLarge.fullchainPem().length()).isGreaterThan(BUFSIZE);
    }

    @BeforeEach
    void startHaproxy() {
        haproxy = HaproxyProcess.builder().crtBase().start();
        config = HapcertYml.write(tmp, HapcertYml.adminSocket("edge", haproxy));
    }

    @AfterEach
    void stopHaproxy() {
        haproxy.close();
    }

    @Test
    void bundleOver16KbIsDeployedWithTheKeyAsACompanionPayload() throws Exception {
        CommandRun run = deploy(BundleFiles.write(tmp, "big", keyTipsItOver));
        assertThat(run.exitCode()).as(run.describe()).isZero();

        Path bundle = haproxy.certsDir().resolve("big.example.test.pem");
        assertThat(Files.size(bundle)).isGreaterThan(BUFSIZE);
        assertThat(haproxy.servedCertificate("big.example.test")).isEqualTo(keyTipsItOver.leaf());
        assertThat(haproxy.servedCertificate("www.big.example.test")).isEqualTo(keyTipsItOver.leaf());
        assertThat(RuntimeApiProbe.command(haproxy.adminSocket(), "show ssl cert " + bundle))
                .contains("Serial: " + keyTipsItOver.serialHex())
                .contains("Algorithm: RSA4096")
                .contains("Chain Subject: /CN=hapcert long chain intermediate 1");

        // The file alone must bring the same certificate back after a restart.
        haproxy.restart();
        assertThat(haproxy.servedCertificate("big.example.test")).isEqualTo(keyTipsItOver.leaf());
    }

    @Test
    void certificatesAloneOver16KbAreRefusedAndTheOldCertificateKeepsServing() throws Exception {
        Instant earlier = Instant.now().minus(Duration.ofHours(2));
        TestCertificates.Issued current = haproxy.ca().leaf("huge.example.test")
                .validity(earlier, earlier.plus(Duration.ofDays(90))).serial(BigInteger.valueOf(0x0111)).issue();
        assertThat(deploy(BundleFiles.write(tmp, "current", current)).exitCode()).isZero();
        Path bundle = haproxy.certsDir().resolve("huge.example.test.pem");
        FileState bundleBefore = FileState.of(bundle);
        FileState crtListBefore = FileState.of(haproxy.crtList());

        CommandRun run = deploy(BundleFiles.write(tmp, "huge", certificatesTooLarge));
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(4);
        assertThat(run.stdout()).contains("haproxy refused")
                .contains("more than HAProxy accepts in one Runtime API payload")
                .contains("raise tune.bufsize");
        assertThat(haproxy.servedCertificate("huge.example.test")).isEqualTo(current.leaf());
        assertThat(RuntimeApiProbe.loadedSerial(haproxy.adminSocket(), bundle.toString())).contains(current.serialHex());
        assertThat(FileState.of(bundle)).isEqualTo(bundleBefore);
        assertThat(FileState.of(haproxy.crtList())).isEqualTo(crtListBefore);
        assertThat(RuntimeApiProbe.certificates(haproxy.adminSocket())).doesNotContain("# transaction");
    }

    @Test
    void certificatesAloneOver16KbUnderANewNameLeaveNothingBehind() throws Exception {
        CommandRun run = deploy(BundleFiles.write(tmp, "huge", certificatesTooLarge));
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(4);

        String certName = haproxy.certsDir().resolve("huge.example.test.pem").toString();
        assertThat(Path.of(certName)).doesNotExist();
        assertThat(Files.readString(haproxy.crtList())).isEmpty();
        assertThat(RuntimeApiProbe.certificates(haproxy.adminSocket())).doesNotContain(certName);
    }

    private CommandRun deploy(BundleFiles files) {
        return Hapcert.run(Args.of("deploy", "--config", config.toString()).add(files.options()).toArray());
    }
}
