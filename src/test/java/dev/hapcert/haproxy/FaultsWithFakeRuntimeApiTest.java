package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.testkit.TestCertificates;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults a real HAProxy 2.6 cannot be made to produce on demand, played by {@link FakeRuntimeApi}. */
class FaultsWithFakeRuntimeApiTest {
    private static final TestCertificates.Issued LEAF =
            TestCertificates.newRootCa("fake CA").leaf("fake.example.test").serial(BigInteger.valueOf(77)).issue();

    @TempDir
    Path dir;

    private RuntimeApiClient client(Duration lockedRetry) throws HaproxyUnreachableException {
        return RuntimeApiClient.open(RuntimeApiAddress.unix(dir.resolve("api.sock")),
                new RuntimeApiTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), lockedRetry));
    }

    @Test
    void lockedCertificateOperationsAreRetriedUntilTheLockIsFree() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // HAProxy 2.6's answer while a commit holds the lock (ssl_ckch.c).
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("api.sock"), x -> calls.incrementAndGet() <= 3
                ? "Can't commit the certificate!\nOperations on certificates are currently locked!"
                : "Committing /x.pem\n...\nSuccess!");
             RuntimeApiClient c = client(Duration.ofSeconds(10))) {
            c.commitSslCert("/x.pem");
            assertThat(calls.get()).isEqualTo(4);
            assertThat(fake.received).containsExactly("prompt", "commit ssl cert /x.pem", "commit ssl cert /x.pem",
                    "commit ssl cert /x.pem", "commit ssl cert /x.pem");
        }
    }

    @Test
    void aLockHeldTooLongFailsWithAClearMessage() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("api.sock"),
                x -> "Can't create a certificate!\nOperations on certificates are currently locked!");
             RuntimeApiClient c = client(Duration.ofMillis(400))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.newSslCert("/x.pem")).isInstanceOf(HaproxyRefusedException.class)
                    .hasMessageContaining("kept certificate operations locked")
                    .hasMessageContaining("new ssl cert /x.pem");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            assertThat(fake.received.size()).isBetween(3, 8);
        }
    }

    @Test
    void connectionClosedMidPayloadNamesTheCertificateAndTheBufsizeLimit() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("api.sock"), x -> null);
             RuntimeApiClient c = client(Duration.ZERO)) {
            assertThatThrownBy(() -> c.setSslCert("/etc/haproxy/certs/x.pem", LEAF.haproxyPem()))
                    .isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("HAProxy closed the connection at unix@" + dir.resolve("api.sock")
                            + " while receiving the certificate for /etc/haproxy/certs/x.pem")
                    .hasMessageContaining("HAProxy 2.6 and 3.0 do this when a command with its payload exceeds"
                            + " tune.bufsize (16384 bytes")
                    .hasMessageNotContaining("PRIVATE");
            // The connection is dead from then on, and says so.
            assertThatThrownBy(c::showSslCerts).isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("failed earlier");
        }
    }

    @Test
    void connectionClosedMidReplyQuotesWhatArrived() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("api.sock"), x -> null);
             RuntimeApiClient c = client(Duration.ZERO)) {
            assertThatThrownBy(c::showSslCerts).isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("HAProxy closed the Runtime API connection at unix@")
                    .hasMessageContaining("while answering 'show ssl cert'");
        }
    }

    @Test
    void aRefusalThatEchoesThePayloadNeverShowsKeyBytes() throws Exception {
        // Some HAProxy errors quote what they could not parse; this one quotes the whole payload.
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("api.sock"),
                x -> "unable to load certificate from '" + x.payload() + "'\nCan't load the payload\nCan't update "
                        + x.line().substring("set ssl cert ".length()) + "!");
             RuntimeApiClient c = client(Duration.ZERO)) {
            assertThatThrownBy(() -> c.setSslCert("/etc/haproxy/certs/x.pem", LEAF.haproxyPem()))
                    .isInstanceOf(HaproxyRefusedException.class)
                    .hasMessageContaining("Can't update /etc/haproxy/certs/x.pem!")
                    .hasMessageContaining("[redacted]")
                    .hasMessageNotContaining("PRIVATE KEY")
                    .satisfies(e -> ReplyScrubberTest.assertNoKeyBytes(e.getMessage(), LEAF.keyPkcs8Pem()))
                    .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain("MII"));
        }
    }

    @Test
    void anUnknownAnswerToTheTransactionProbeFallsBackToTheHeadOfTheListing() throws Exception {
        // A later HAProxy may word the probe's answer differently: the listing decides then, read only to its stores.
        StringBuilder stores = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            stores.append("/certs/site-").append(i).append(".pem\n");
        }
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("api.sock"), x -> switch (x.line()) {
            case "abort ssl cert " + RuntimeApiClient.TRANSACTION_PROBE -> "Nothing to abort here.";
            case "show ssl cert" -> "# transaction\n*/certs/site-7.pem\n# filename\n" + stores.toString().strip();
            default -> "Unknown command.";
        });
             RuntimeApiClient c = client(Duration.ofSeconds(2))) {
            assertThat(c.showSslCertTransactions()).containsExactly("/certs/site-7.pem");
            assertThat(fake.received).contains("abort ssl cert " + RuntimeApiClient.TRANSACTION_PROBE, "show ssl cert");
        }
    }

    @Test
    void theTransactionProbeNamesTheOpenTransactionWithoutListingStores() throws Exception {
        try (FakeRuntimeApi fake = new FakeRuntimeApi(dir.resolve("api.sock"), x -> x.line().startsWith("abort ssl cert ")
                ? "The ongoing transaction is about '/certs/it''s.pem' but you are trying to abort a transaction for '"
                        + x.line().substring("abort ssl cert ".length()) + "'"
                : "Unknown command.");
             RuntimeApiClient c = client(Duration.ofSeconds(2))) {
            assertThat(c.showSslCertTransactions()).containsExactly("/certs/it''s.pem");
            assertThat(fake.received).doesNotContain("show ssl cert");
        }
    }
}
