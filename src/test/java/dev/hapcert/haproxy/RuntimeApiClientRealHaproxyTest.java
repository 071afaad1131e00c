package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a real HAProxy (2.6 in CI; 3.0 by hand; one process for the class; every test uses its own names). */
class RuntimeApiClientRealHaproxyTest {
    private static HaproxyProcess haproxy;

    @BeforeAll
    static void start() {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        haproxy = HaproxyProcess.builder().tcpSocket().lowLevelSockets().start();
    }

    @AfterAll
    static void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
    }

    static RuntimeApiClient admin() throws HaproxyUnreachableException {
        return RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()));
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** new -> set -> commit -> add crt-list: the sequence that makes 2.6 serve a new certificate. */
    static void addNew(RuntimeApiClient c, String name, String sni, TestCertificates.Issued leaf) throws Exception {
        c.newSslCert(name);
        c.setSslCert(name, leaf.haproxyPem());
        c.commitSslCert(name);
        c.addCrtListEntry(haproxy.crtList().toString(), name + " " + sni);
    }

    @Test
    void addsANewCertificateThatIsThenServedBySni() throws Exception {
        String sni = unique("new") + ".example.test";
        String name = haproxy.certsDir().resolve(sni + ".pem").toString();
        TestCertificates.Issued leaf = haproxy.mint(sni);
        try (RuntimeApiClient c = admin()) {
            addNew(c, name, sni, leaf);

            assertThat(haproxy.servedCertificate(sni).getSerialNumber()).isEqualTo(leaf.leaf().getSerialNumber());
            SslCertDetails d = c.showSslCert(name).orElseThrow();
            assertThat(d.status()).isEqualTo(SslCertDetails.Status.USED);
            assertThat(d.serialNumber()).contains(leaf.leaf().getSerialNumber());
            assertThat(d.subjectAltNames()).containsExactly(sni);
            assertThat(d.notAfter()).isPresent();
            assertThat(c.showSslCerts().certificates()).contains(name);
            CrtListEntry e = CrtListEntry.find(c.showCrtList(haproxy.crtList().toString()), name).orElseThrow();
            assertThat(e.sniFilters()).containsExactly(sni);
            assertThat(c.showCrtLists()).contains(haproxy.crtList().toString());

            c.delCrtListEntry(haproxy.crtList().toString(), e.reference());
            c.delSslCert(name);
            assertThat(c.showSslCert(name)).isEmpty();
            assertThat(haproxy.servedCertificate(sni).getSubjectX500Principal().getName())
                    .contains("default.hapcert.test");
        }
    }

    @Test
    void updatesAnExistingCertificate() throws Exception {
        String sni = unique("upd") + ".example.test";
        String name = haproxy.certsDir().resolve(sni + ".pem").toString();
        TestCertificates.Issued first = haproxy.mint(sni);
        TestCertificates.Issued second = haproxy.mint(sni);
        try (RuntimeApiClient c = admin()) {
            addNew(c, name, sni, first);
            c.setSslCert(name, second.haproxyPem());
            assertThat(c.showSslCerts().openTransaction()).contains(name);
            c.commitSslCert(name);
            assertThat(c.showSslCerts().openTransaction()).isEmpty();
            assertThat(haproxy.servedCertificate(sni).getSerialNumber()).isEqualTo(second.leaf().getSerialNumber());
        }
    }

    @Test
    void wrongTransactionTrapIsDetectedAndLeavesBothCertificatesIntact() throws Exception {
        String sniA = unique("a") + ".example.test";
        String sniB = unique("b") + ".example.test";
        String a = haproxy.certsDir().resolve(sniA + ".pem").toString();
        String b = haproxy.certsDir().resolve(sniB + ".pem").toString();
        TestCertificates.Issued leafA = haproxy.mint(sniA);
        TestCertificates.Issued leafB = haproxy.mint(sniB);
        try (RuntimeApiClient c = admin()) {
            addNew(c, a, sniA, leafA);
            addNew(c, b, sniB, leafB);
            // Another tool opens a transaction for A and leaves it open.
            try (RuntimeApiConnection raw = RuntimeApiConnection.open(RuntimeApiAddress.unix(haproxy.adminSocket()),
                    RuntimeApiTimeouts.DEFAULT)) {
                Reply r = raw.exchange(Command.withPayload(haproxy.mint(sniA).haproxyPem(), "set", "ssl", "cert", a));
                assertThat(r.text()).isEqualTo("Transaction created for certificate " + a + "!");
            }

            TestCertificates.Issued newB = haproxy.mint(sniB);
            if (c.version().startsWith("2.")) {
                // 2.6 loads B's certificate into A's transaction; hapcert sees A named in the reply and aborts it.
                assertThatThrownBy(() -> c.setSslCert(b, newB.haproxyPem()))
                        .isInstanceOf(HaproxyRefusedException.class)
                        .hasMessageContaining("into the open transaction of '" + a + "'")
                        .hasMessageContaining("hapcert aborted that transaction");
            } else {
                // 3.0 refuses the set and leaves A's transaction to its owner, which then aborts it.
                assertThatThrownBy(() -> c.setSslCert(b, newB.haproxyPem()))
                        .isInstanceOf(HaproxyRefusedException.class)
                        .hasMessageContaining("refused to load the certificate for '" + b + "': the transaction of '"
                                + a + "' is open")
                        .hasMessageContaining("'abort ssl cert " + a + "' drops it");
                assertThat(c.showSslCertTransactions()).containsExactly(a);
                c.abortSslCert(a);
            }

            // B's certificate is not left under A: the transaction is gone and A still has its own.
            assertThat(c.showSslCerts().openTransaction()).isEmpty();
            assertThat(c.showSslCert(a).orElseThrow().serialNumber()).contains(leafA.leaf().getSerialNumber());
            assertThat(haproxy.servedCertificate(sniA).getSerialNumber()).isEqualTo(leafA.leaf().getSerialNumber());
            assertThat(haproxy.servedCertificate(sniB).getSerialNumber()).isEqualTo(leafB.leaf().getSerialNumber());

            // With the transaction gone, the same call succeeds.
            c.setSslCert(b, newB.haproxyPem());
            c.commitSslCert(b);
            assertThat(haproxy.servedCertificate(sniB).getSerialNumber()).isEqualTo(newB.leaf().getSerialNumber());
        }
    }

    @Test
    void openTransactionsAreFoundWithoutListingEveryStore() throws Exception {
        String sni = unique("tx") + ".example.test";
        String name = haproxy.certsDir().resolve(sni + ".pem").toString();
        try (RuntimeApiClient c = admin()) {
            addNew(c, name, sni, haproxy.mint(sni));
            assertThat(c.showSslCertTransactions()).isEmpty();
            try (RuntimeApiConnection raw = RuntimeApiConnection.open(RuntimeApiAddress.unix(haproxy.adminSocket()),
                    RuntimeApiTimeouts.DEFAULT)) {
                raw.exchange(Command.withPayload(haproxy.mint(sni).haproxyPem(), "set", "ssl", "cert", name));
                try {
                    assertThat(c.showSslCertTransactions()).containsExactly(name);
                    // The listing's head, as the fallback reads it: the transaction, and the stores' header last.
                    Reply head = raw.head(Command.of("show", "ssl", "cert"), SslCertListing.STORES_HEADER);
                    assertThat(head.text()).isEqualTo("# transaction\n*" + name + "\n" + SslCertListing.STORES_HEADER);
                    assertThat(SslCertListing.transactionsIn(head.text())).containsExactly(name);
                } finally {
                    c.abortSslCert(name);
                }
            }
            assertThat(c.showSslCertTransactions()).isEmpty();
        }
    }

    @Test
    void pipelines200CommandsOnOneConnectionAndAttributesEachReply() throws Exception {
        String base = haproxy.certsDir().resolve(unique("pipe")).toString();
        List<Command> cmds = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            cmds.add(Command.of("new", "ssl", "cert", base + "-" + i + ".pem"));
            cmds.add(Command.of("del", "ssl", "cert", base + "-" + i + ".pem"));
        }
        try (RuntimeApiClient c = admin()) {
            List<Reply> replies = c.pipeline(cmds);
            assertThat(replies).hasSize(200);
            for (int i = 0; i < 200; i++) {
                Reply r = replies.get(i);
                assertThat(r.command()).isSameAs(cmds.get(i));
                String name = base + "-" + (i / 2) + ".pem";
                assertThat(r.text()).isEqualTo(i % 2 == 0 ? "New empty certificate store '" + name + "'!"
                        : "Certificate '" + name + "' deleted!");
            }
            assertThat(c.version()).matches("\\d+\\.\\d+.*");
        }
    }

    @Test
    void aPipelineStreamsAcrossSendsAndHandsEveryReplyInOrder() throws Exception {
        String base = haproxy.certsDir().resolve(unique("stream")).toString();
        List<List<Command>> sends = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            List<Command> cmds = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                String name = base + "-" + k + "-" + i + ".pem";
                cmds.add(Command.of("new", "ssl", "cert", name));
                cmds.add(Command.of("del", "ssl", "cert", name));
            }
            sends.add(cmds);
        }
        try (RuntimeApiClient c = admin()) {
            List<Reply> got = new ArrayList<>();
            RuntimeApiTransport.Pipeline pipeline = c.openPipeline(got::add);
            for (List<Command> cmds : sends) {
                pipeline.send(cmds);
            }
            pipeline.awaitUnanswered(300);
            assertThat(got.size()).isGreaterThanOrEqualTo(600);
            pipeline.finish();
            List<Command> all = sends.stream().flatMap(List::stream).toList();
            assertThat(got).hasSize(all.size());
            for (int i = 0; i < all.size(); i++) {
                assertThat(got.get(i).command()).isSameAs(all.get(i));
                String name = all.get(i).words().get(3);
                assertThat(got.get(i).text()).isEqualTo(i % 2 == 0 ? "New empty certificate store '" + name + "'!"
                        : "Certificate '" + name + "' deleted!");
            }
            // Once every reply is in, the connection serves plain exchanges again.
            assertThat(c.version()).matches("\\d+\\.\\d+.*");
        }
    }

    @Test
    void payloadsFarBeyondTheSocketBufferAreWrittenWholeAndAnsweredInOrder() throws Exception {
        String sni = unique("gather") + ".example.test";
        String name = haproxy.certsDir().resolve(sni + ".pem").toString();
        // About 8 KB each (the chain padded with the CA's certificate), 300 of them pipelined: 2.4 MB, so the socket
        // buffer fills and the gathered writes stop part-way through commands, again and again.
        StringBuilder pem = new StringBuilder(haproxy.mint(sni).haproxyPem());
        while (pem.length() < 8_000) {
            pem.append(TestCertificates.pem(haproxy.ca().certificate()));
        }
        List<Command> cmds = new ArrayList<>();
        cmds.add(Command.of("new", "ssl", "cert", name));
        for (int i = 0; i < 300; i++) {
            cmds.add(Command.withPayload(pem.toString(), "set", "ssl", "cert", name));
        }
        cmds.add(Command.of("abort", "ssl", "cert", name));
        cmds.add(Command.of("del", "ssl", "cert", name));
        try (RuntimeApiClient c = admin()) {
            List<Reply> replies = c.pipeline(cmds);
            assertThat(replies).hasSize(cmds.size());
            assertThat(replies.get(0).text()).isEqualTo("New empty certificate store '" + name + "'!");
            assertThat(replies.get(1).text()).isEqualTo("Transaction created for certificate " + name + "!");
            for (int i = 2; i <= 300; i++) {
                assertThat(replies.get(i).command()).isSameAs(cmds.get(i));
                assertThat(replies.get(i).text()).isEqualTo("Transaction updated for certificate " + name + "!");
            }
            assertThat(replies.get(301).text()).isEqualTo("Transaction aborted for certificate '" + name + "'!");
            assertThat(replies.get(302).text()).isEqualTo("Certificate '" + name + "' deleted!");
        }
    }

    @Test
    void aConnectionWithRepliesStillDueRefusesAnExchange() throws Exception {
        try (RuntimeApiConnection c = RuntimeApiConnection.open(RuntimeApiAddress.unix(haproxy.adminSocket()),
                RuntimeApiTimeouts.DEFAULT)) {
            List<Reply> got = new ArrayList<>();
            RuntimeApiTransport.Pipeline pipeline = c.openPipeline(got::add);
            pipeline.send(java.util.Collections.nCopies(300, Command.of("show", "ssl", "cert")));
            if (got.size() < 300) {
                assertThatThrownBy(() -> c.exchange(Command.of("show", "info")))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("still awaits");
            }
            pipeline.finish();
            assertThat(got).hasSize(300);
            assertThat(c.exchange(Command.of("show", "info")).text()).contains("Pid:");
        }
    }

    @Test
    void payloadOverTuneBufsizeGivesAClearErrorAndChangesNothing() throws Exception {
        String sni = unique("big") + ".example.test";
        String name = haproxy.certsDir().resolve(sni + ".pem").toString();
        TestCertificates.Issued leaf = haproxy.mint(sni);
        StringBuilder padded = new StringBuilder(leaf.fullchainPem());
        while (padded.length() < 17_000) {
            padded.append(TestCertificates.pem(haproxy.ca().certificate()));
        }
        padded.append(leaf.keyPkcs8Pem());
        try (RuntimeApiClient c = admin()) {
            c.newSslCert(name);
            // Seen on 2.6.12: HAProxy prints "+ " per line it buffered, then closes the connection without a word.
            assertThatThrownBy(() -> c.setSslCert(name, padded.toString()))
                    .isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("while receiving the certificate for " + name)
                    .hasMessageContaining("tune.bufsize (16384 bytes")
                    .hasMessageNotContaining("PRIVATE");
        }
        try (RuntimeApiClient c = admin()) {
            assertThat(c.showSslCerts().openTransaction()).isEmpty();
            assertThat(c.showSslCert(name).orElseThrow().status()).isEqualTo(SslCertDetails.Status.EMPTY);
            c.delSslCert(name);
        }
    }

    @Test
    void refusedSetSslCertNeverShowsKeyBytes() throws Exception {
        String name = haproxy.defaultCert().toString();
        TestCertificates.Issued leaf = haproxy.mint("refused.example.test");
        // A certificate cut in the middle, then the key: HAProxy refuses to load it.
        String cert = leaf.certPem();
        String broken = cert.substring(0, cert.length() / 2) + "\n" + leaf.keyPkcs8Pem();
        try (RuntimeApiClient c = admin()) {
            assertThatThrownBy(() -> c.setSslCert(name, broken))
                    .isInstanceOf(HaproxyRefusedException.class)
                    .hasMessageContaining("refused 'set ssl cert " + name + " <<[payload")
                    .hasMessageContaining("Can't update " + name)
                    .satisfies(e -> ReplyScrubberTest.assertNoKeyBytes(e.getMessage(), leaf.keyPkcs8Pem()));
            assertThat(c.showSslCerts().openTransaction()).isEmpty();
        }
    }

    @Test
    void worksOverTcp() throws Exception {
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.parse(haproxy.tcpAddress()))) {
            assertThat(c.version()).matches("\\d+\\.\\d+.*");
            assertThat(c.showSslCerts().certificates()).contains(haproxy.defaultCert().toString());
            assertThat(c.showInfo()).containsKey("Pid");
        }
    }

    @Test
    void operatorAndUserLevelSocketsAreReportedAsNotAdmin() throws Exception {
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.operatorSocket()))) {
            // 2.6.12 lets an operator read certificates but not change them ("Permission denied").
            assertThat(c.showSslCerts().certificates()).isNotEmpty();
            assertThatThrownBy(() -> c.newSslCert(haproxy.certsDir().resolve("op.pem").toString()))
                    .isInstanceOf(HaproxyRefusedException.class)
                    .hasMessageContaining("the Runtime API socket " + haproxy.operatorSocket() + " is not at level admin")
                    .hasMessageContaining("add 'level admin' to its 'stats socket' line");
        }
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.userSocket()))) {
            // At level user, 2.6.12 answers "Can't allocate memory!" to show ssl cert.
            assertThatThrownBy(c::showSslCerts)
                    .isInstanceOf(HaproxyRefusedException.class)
                    .hasMessageContaining("is not at level admin (HAProxy answered 'Can't allocate memory!'");
        }
    }
}
