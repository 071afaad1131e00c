package dev.hapcert.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.config.FileOwnership;
import dev.hapcert.config.LeftoverTransactionPolicy;
import dev.hapcert.config.PathMapping;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.RuntimeApiTimeouts;
import dev.hapcert.haproxy.SslCertListing;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.testkit.ConnectionPerExchange;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One certificate over a transport where every exchange is a connection of its own, as through an exec in a
 * container (each exec costs 150-300 ms): against a real HAProxy, the change goes in two exchanges (what loads the
 * bundle; then commit, crt-list entry and the verification's look), and a refusal in either leaves HAProxy, the files
 * and the crt-list as they were.
 */
class TargetSessionOverExecsTest {
    private static final String NAME = "exec.session.test";
    private HaproxyProcess haproxy;
    private TargetConfig target;
    private String certName;

    @BeforeEach
    void start() {
        haproxy = HaproxyProcess.builder().start();
        target = new TargetConfig("execs", haproxy.adminSocket().toString(), false, haproxy.crtList().toString(),
                haproxy.certsDir().toString(), PathMapping.IDENTITY, FileOwnership.DEFAULT, Optional.empty(),
                Optional.empty(), "", LeftoverTransactionPolicy.ABORT, haproxy.dir().resolve("hapcert.lock"),
                Optional.empty(), TargetConfig.DEFAULT_PAYLOAD_LIMIT, Optional.empty());
        certName = TargetSession.certName(target, NAME);
    }

    @AfterEach
    void stop() {
        haproxy.close();
    }

    private DesiredCertificate cert(TestCertificates.Issued issued) throws Exception {
        return new DesiredCertificate(NAME, BundleReader.fromPem(issued.haproxyPem(), NAME), List.of(NAME), "test");
    }

    private CertificateResult deploy(ConnectionPerExchange carrier, DesiredCertificate certificate) throws Exception {
        try (RuntimeApiClient client = RuntimeApiClient.over(carrier.transport(), RuntimeApiTimeouts.DEFAULT)) {
            TargetSession session = new TargetSession(client, target, DeployOptions.defaults(), m -> { }, false);
            CertificateResult result = session.deploy(certificate);
            session.flush();
            return result;
        }
    }

    /** The exchanges that change something, in order. */
    private static List<List<String>> changes(ConnectionPerExchange carrier) {
        return carrier.exchanges().stream().filter(e -> e.stream().anyMatch(l -> !l.startsWith("show ")
                && !l.startsWith("abort ssl cert hapcert:"))).toList();
    }

    @Test
    void aNewCertificateGoesInTwoExchangesAfterWhatItObserves() throws Exception {
        TestCertificates.Issued issued = haproxy.mint(NAME);
        ConnectionPerExchange carrier = new ConnectionPerExchange(haproxy.adminSocket());

        CertificateResult result = deploy(carrier, cert(issued));

        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.ADDED);
        assertThat(changes(carrier)).containsExactly(
                List.of("new ssl cert " + certName, "set ssl cert " + certName),
                List.of("commit ssl cert " + certName, "add ssl crt-list " + haproxy.crtList(), "show ssl cert " + certName));
        List<List<String>> all = carrier.exchanges();
        assertThat(all.get(all.size() - 1)).as("the verification's look went with the commit")
                .contains("show ssl cert " + certName);
        assertThat(haproxy.servedCertificate(NAME).getSerialNumber()).isEqualTo(issued.leaf().getSerialNumber());
        assertThat(Files.readString(haproxy.crtList())).contains(certName);
        assertThat(Path.of(certName)).exists();
    }

    @Test
    void aRenewalGoesInTwoExchanges() throws Exception {
        deploy(new ConnectionPerExchange(haproxy.adminSocket()), cert(haproxy.mint(NAME)));
        TestCertificates.Issued renewed = haproxy.mint(NAME);
        ConnectionPerExchange carrier = new ConnectionPerExchange(haproxy.adminSocket());

        CertificateResult result = deploy(carrier, cert(renewed));

        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.UPDATED);
        assertThat(changes(carrier)).containsExactly(
                List.of("set ssl cert " + certName),
                List.of("commit ssl cert " + certName, "show ssl cert " + certName));
        assertThat(haproxy.servedCertificate(NAME).getSerialNumber()).isEqualTo(renewed.leaf().getSerialNumber());
    }

    @Test
    void aRefusedSetSendsNoCommitAndLeavesNothingBehind() throws Exception {
        TestCertificates.Issued issued = haproxy.mint(NAME);
        // Certificates HAProxy cannot read on the wire (the file would hold the real ones): it refuses the set.
        UnaryOperator<String> garble = stream -> stream.replace("CERTIFICATE-----", "CERTIFICATX-----");
        ConnectionPerExchange carrier = new ConnectionPerExchange(haproxy.adminSocket(), garble);

        CertificateResult result = deploy(carrier, cert(issued));

        assertThat(result.outcome()).as(result.detail()).isNotIn(Outcome.ADDED, Outcome.UPDATED);
        assertThat(result.detail()).contains("refused 'set ssl cert " + certName);
        assertThat(carrier.exchanges()).noneMatch(e -> e.contains("commit ssl cert " + certName));
        assertNothingLeft();
    }

    @Test
    void aRefusedCommitLeavesNothingBehindThoughTheEntryAndTheLookWentWithIt() throws Exception {
        TestCertificates.Issued issued = haproxy.mint(NAME);
        // The commit names another certificate, so HAProxy refuses it; the crt-list entry after it is refused too
        // (the store was never committed, so it is empty).
        UnaryOperator<String> misname = stream -> stream.replace("commit ssl cert " + certName + "\n",
                "commit ssl cert " + certName + ".elsewhere\n");
        ConnectionPerExchange carrier = new ConnectionPerExchange(haproxy.adminSocket(), misname);

        CertificateResult result = deploy(carrier, cert(issued));

        assertThat(result.outcome()).as(result.detail()).isNotIn(Outcome.ADDED, Outcome.UPDATED);
        assertThat(result.detail()).contains("refused 'commit ssl cert " + certName);
        assertThat(changes(carrier)).element(1).asList()
                .contains("add ssl crt-list " + haproxy.crtList());
        assertNothingLeft();
    }

    private void assertNothingLeft() throws Exception {
        try (RuntimeApiClient client = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            SslCertListing stores = client.showSslCerts();
            assertThat(stores.certificates()).doesNotContain(certName);
            assertThat(stores.transactions()).isEmpty();
            assertThat(client.showCrtList(haproxy.crtList().toString())).noneMatch(e -> e.certificate().equals(certName));
        }
        assertThat(Files.readString(haproxy.crtList())).doesNotContain(certName);
        assertThat(Path.of(certName)).doesNotExist();
    }
}
