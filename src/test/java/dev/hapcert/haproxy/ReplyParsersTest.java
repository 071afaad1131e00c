package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parsers on replies captured from HAProxy 2.6.12 ({@code src/test/resources/haproxy-2.6}; the capture's temp
 * dir was rewritten to /etc/haproxy/certs), and on tables of malformed replies.
 */
class ReplyParsersTest {
    static String fixture(String name) {
        try (InputStream in = ReplyParsersTest.class.getResourceAsStream("/haproxy-2.6/" + name + ".txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("fixture " + name, e);
        }
    }

    // ---- show ssl cert ----

    @Test
    void listing() {
        SslCertListing l = SslCertListing.parse(fixture("show-ssl-cert-list"));
        assertThat(l.certificates()).containsExactly("/etc/haproxy/certs/a.pem", "/etc/haproxy/certs/big.pem",
                "/etc/haproxy/certs/default.pem");
        assertThat(l.openTransaction()).isEmpty();
    }

    @Test
    void listingWithTransaction() {
        SslCertListing l = SslCertListing.parse(fixture("show-ssl-cert-list-with-transaction"));
        assertThat(l.transactions()).containsExactly("/etc/haproxy/certs/a.pem");
        assertThat(l.openTransaction()).contains("/etc/haproxy/certs/a.pem");
        assertThat(l.certificates()).hasSize(5).contains("/etc/haproxy/certs/certdir/a.pem", "/etc/haproxy/certs/empty.pem");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/x/a.pem\n# filename\n", "# transaction\n/x/no-star.pem\n", "# transaction\n*\n"})
    void malformedListings(String reply) {
        assertThatThrownBy(() -> SslCertListing.parse(reply)).isInstanceOf(HaproxyProtocolException.class);
    }

    @Test
    void listingToleratesUnknownSections() {
        assertThat(SslCertListing.parse("# something new\nzzz\n# filename\n/x\n").certificates()).containsExactly("/x");
        assertThat(SslCertListing.parse("").certificates()).isEmpty();
    }

    // ---- show ssl cert <name> ----

    @Test
    void detailsOfAnEcCertificate() {
        SslCertDetails d = SslCertDetails.parse(fixture("show-ssl-cert-ec"));
        assertThat(d.filename()).isEqualTo("/etc/haproxy/certs/a.pem");
        assertThat(d.isTransaction()).isFalse();
        assertThat(d.status()).isEqualTo(SslCertDetails.Status.USED);
        assertThat(d.serial()).contains("3B1FF82333DE180CD92409D9C84A5D9AF61174DB");
        assertThat(d.serialNumber()).contains(new java.math.BigInteger("3B1FF82333DE180CD92409D9C84A5D9AF61174DB", 16));
        assertThat(SslCertDetails.parse("Filename: /x\nStatus: Used\nSerial: 0D2E\n").serialNumber())
                .contains(java.math.BigInteger.valueOf(0xD2E));
        assertThat(d.notBefore()).contains(Instant.parse("2026-11-27T21:02:16Z"));
        assertThat(d.notAfter()).contains(Instant.parse("2026-12-27T21:02:16Z"));
        assertThat(d.subjectAltNames()).containsExactly("a.test", "www.a.test");
        assertThat(d.algorithm()).contains("EC256");
        assertThat(d.sha1Fingerprint()).contains("B2FC54BB0032AC0618D7D06E87E77FFA42578789");
        assertThat(d.subject()).contains("/CN=a.test");
        assertThat(d.issuer()).contains("/CN=a.test");
        assertThat(d.chain()).isEmpty();
    }

    @Test
    void detailsWithChainAndAnIpSanThat26PrintsEmpty() {
        SslCertDetails d = SslCertDetails.parse(fixture("show-ssl-cert-chain"));
        assertThat(d.subjectAltNames()).containsExactly("chain.example.test", "*.chain.example.test");
        assertThat(d.algorithm()).contains("RSA2048");
        assertThat(d.subject()).contains("/CN=chain.example.test/O=Ex Org");
        assertThat(d.chain()).containsExactly(new SslCertDetails.ChainCertificate(
                "/C=FR/O=Example Test CA/CN=Example Root", "/C=FR/O=Example Test CA/CN=Example Root"));
        assertThat(d.notAfter()).contains(Instant.parse("2027-01-26T21:04:17Z"));
    }

    @Test
    void detailsOfAnEmptyStoreAndOfATransaction() {
        SslCertDetails e = SslCertDetails.parse(fixture("show-ssl-cert-empty"));
        assertThat(e.status()).isEqualTo(SslCertDetails.Status.EMPTY);
        assertThat(e.serial()).isEmpty();
        assertThat(e.notAfter()).isEmpty();
        SslCertDetails t = SslCertDetails.parse(fixture("show-ssl-cert-transaction"));
        assertThat(t.isTransaction()).isTrue();
        assertThat(t.status()).isEqualTo(SslCertDetails.Status.UNUSED);
        assertThat(t.subjectAltNames()).containsExactly("b.test", "www.b.test");
    }

    @Test
    void spacePaddedDaysAndUnknownFieldsAndStatuses() {
        SslCertDetails d = SslCertDetails.parse("Filename: /x\nStatus: Frozen\nnotAfter: Sep  8 14:45:39 2048 GMT\n"
                + "Brand New Field: whatever\n");
        assertThat(d.notAfter()).contains(Instant.parse("2048-09-08T14:45:39Z"));
        assertThat(d.status()).isEqualTo(SslCertDetails.Status.UNKNOWN);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Status: Used\n",
            "Filename: /x\n",
            "Filename: \nStatus: Used\n",
            "Filename: /x\nStatus: Used\nnotAfter: Dec 32 21:02:16 2026 GMT\n",
            "Filename: /x\nStatus: Used\nnotAfter: 2026-12-27T21:02:16Z\n",
            "Filename: /x\nStatus: Used\nnotBefore: Nov 27 21:02:16 2026 CET\n",
            "Filename: /x\nStatus: Used\nnotBefore: Nox 27 21:02:16 2026 GMT\n",
            "Filename: /x\nStatus: Used\nnotBefore: Nov 27 21:02 2026 GMT\n",
            "Filename: /x\nStatus: Used\nnotBefore: Nov 27 21:02:1x 2026 GMT\n",
            "Filename: /x\nStatus: Used\nnotBefore: Nov 27 25:02:16 2026 GMT\n",
            "Filename: /x\nStatus: Used\nnotBefore: Nov 27 21:02:16 2026 GMT extra\n",
            "Filename: /x\nStatus: Used\nSerial: 3B:1F:F8\n",
            "Filename: /x\nStatus: Used\nSHA1 FingerPrint: not-hex\n",
            "Can't display the certificate: Not found or the certificate is a bundle!\n"})
    void malformedDetails(String reply) {
        assertThatThrownBy(() -> SslCertDetails.parse(reply)).isInstanceOf(HaproxyProtocolException.class);
    }

    // ---- another certificate's transaction is open ----

    @Test
    void theOpenTransactionIsReadFromARefusalForAnotherName() {
        String a = "/etc/haproxy/certs/a.pem";
        String b = "/etc/haproxy/certs/b.pem";
        // 3.0.11's answer to set ssl cert b.pem while a.pem's transaction is open.
        String refusedSet = "The ongoing transaction is about '" + a + "' but you are trying to set '" + b + "'\n"
                + "Can't update " + b + "!";
        assertThat(RuntimeApiClient.ongoingTransaction(refusedSet, "set '" + b + "'")).contains(a);
        // 2.6.12's (and 3.0.11's) answer to the probe that aborts a name without a transaction.
        String probe = "The ongoing transaction is about '" + a + "' but you are trying to abort a transaction for"
                + " 'hapcert:no-such-certificate'";
        assertThat(RuntimeApiClient.ongoingTransaction(probe,
                "abort a transaction for '" + RuntimeApiClient.TRANSACTION_PROBE + "'")).contains(a);
        // Only for the command that was sent: another name, another verb, or other words are not this refusal.
        assertThat(RuntimeApiClient.ongoingTransaction(refusedSet, "set '" + a + "'")).isEmpty();
        assertThat(RuntimeApiClient.ongoingTransaction(refusedSet, "commit '" + b + "'")).isEmpty();
        assertThat(RuntimeApiClient.ongoingTransaction("Can't update " + b + "!", "set '" + b + "'")).isEmpty();
        assertThat(RuntimeApiClient.ongoingTransaction("The ongoing transaction is about '' but you are trying to set '"
                + b + "'", "set '" + b + "'")).isEmpty();
    }

    // ---- show ssl crt-list ----

    @Test
    void crtListWithLineNumbers() {
        assertThat(CrtListEntry.parseListing(fixture("show-ssl-crt-list-n"))).containsExactly(
                new CrtListEntry("/etc/haproxy/certs/a.pem", 1, "", java.util.List.of("a.test")));
    }

    @Test
    void crtListWithOptionsAndTheNulByte26PrintsAfterAlpn() {
        var entries = CrtListEntry.parseListing(fixture("show-ssl-crt-list-n-options"));
        assertThat(fixture("show-ssl-crt-list-n-options")).contains("\0");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).sslOptions()).isEqualTo("alpn h2,http/1.1 ssl-min-ver TLSv1.2");
        assertThat(entries.get(0).sniFilters()).containsExactly("chain.example.test", "*.chain.example.test",
                "!bad.chain.example.test");
        assertThat(entries.get(1).reference()).isEqualTo("/etc/haproxy/certs/a.pem:2");
        assertThat(entries.get(1).sniFilters()).isEmpty();
    }

    @Test
    void crtDirectoryEntriesAreLineZero() {
        assertThat(CrtListEntry.parseListing(fixture("show-ssl-crt-list-n-directory")))
                .containsExactly(new CrtListEntry("/etc/haproxy/certs/certdir/a.pem", 0, "", java.util.List.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/x/a.pem a.test", "/x/a.pem:", "/x/a.pem:one", ":3", "/x/a.pem:1 [alpn h2 x.test",
            "/x/a.pem:-1"})
    void malformedCrtListLines(String line) {
        assertThatThrownBy(() -> CrtListEntry.parse(line)).isInstanceOf(HaproxyProtocolException.class);
    }

    // ---- show proc ----

    @Test
    void procList() {
        ProcList p = ProcList.parse(fixture("show-proc"));
        assertThat(p.master().type()).isEqualTo("master");
        assertThat(p.master().reloads()).isZero();
        assertThat(p.workers()).hasSize(1);
        assertThat(p.workers().get(0).version()).isEqualTo("2.6.12-1+deb12u4");
        assertThat(p.oldWorkers()).isEmpty();
    }

    @Test
    void procListDuringAReload() {
        ProcList p = ProcList.parse(fixture("show-proc-old-workers"));
        assertThat(p.master().pid()).isEqualTo(5710);
        assertThat(p.master().reloads()).isEqualTo(2);
        assertThat(p.master().failedReloads()).isZero();
        assertThat(p.workers()).extracting(ProcList.Process::pid).containsExactly(8568L);
        assertThat(p.oldWorkers()).extracting(ProcList.Process::pid).containsExactly(8325L);
        assertThat(p.oldWorkers().get(0).route()).isEqualTo("@!8325");
        assertThat(p.oldWorkers().get(0).uptime()).isEqualTo("0d00h00m06s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"# workers\n8568 worker 0 0d00h00m01s 2.6\n", "Unknown command\n",
            "#<PID> <type>\nabc master 0 [failed: 0] 0d 2.6\n", "#<PID>\n12 master x\n", "#<PID>\n12\n"})
    void malformedProcLists(String reply) {
        assertThatThrownBy(() -> ProcList.parse(reply)).isInstanceOf(HaproxyProtocolException.class);
    }
}
