package dev.hapcert.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.config.FileOwnership;
import dev.hapcert.config.LeftoverTransactionPolicy;
import dev.hapcert.config.PathMapping;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.Reply;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.RuntimeApiConnection;
import dev.hapcert.haproxy.RuntimeApiTimeouts;
import dev.hapcert.haproxy.RuntimeApiTransport;
import dev.hapcert.source.CertificateFeed;
import dev.hapcert.source.CertificateSource;
import dev.hapcert.source.SourceItem;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.store.OwnershipFile;
import dev.hapcert.testkit.ConnectionPerExchange;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.Sources;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bulk path against a real HAProxy: many certificates in several pipelined batches, all verified and listed
 * once; a rerun changes nothing; updates, unchanged and older certificates in one run; and a failure attributed to
 * its own certificate while the others carry on (a refused commit, whose open transaction catches the next
 * certificates' {@code set}s in real HAProxy 2.6, and a bundle path that is a symbolic link).
 */
class BulkSessionTest {
    /** Small batches, so that a test crosses batch boundaries (and the writers run ahead) with few certificates. */
    private static final int BATCH = 40;
    private static final int COUNT = BATCH * 2 + 17;
    private HaproxyProcess haproxy;
    private TargetConfig target;

    @BeforeEach
    void start() throws Exception {
        haproxy = HaproxyProcess.builder().start();
        target = new TargetConfig("bulk", haproxy.adminSocket().toString(), false, haproxy.crtList().toString(),
                haproxy.certsDir().toString(), PathMapping.IDENTITY, FileOwnership.DEFAULT, Optional.empty(),
                Optional.empty(), "", LeftoverTransactionPolicy.ABORT, haproxy.dir().resolve("hapcert.lock"),
                Optional.empty(), TargetConfig.DEFAULT_PAYLOAD_LIMIT, Optional.empty());
    }

    @AfterEach
    void stop() {
        haproxy.close();
    }

    private DesiredCertificate cert(String name, TestCertificates.Issued issued) throws Exception {
        return new DesiredCertificate(name, BundleReader.fromPem(issued.haproxyPem(), name), List.of(name), "test");
    }

    private List<DesiredCertificate> certs(int count, String prefix) throws Exception {
        List<DesiredCertificate> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = prefix + i + ".bulk.test";
            out.add(cert(name, haproxy.mint(name)));
        }
        return out;
    }

    private DeployReport sync(List<DesiredCertificate> certificates) {
        return new Deployer(DeployOptions.defaults(), m -> { }).sync(certificates, Set.of(), List.of(target));
    }

    /** The bulk path directly, in batches of {@link #BATCH}, over a connection that may rewrite commands. */
    private List<CertificateResult> bulk(List<DesiredCertificate> certificates, Function<Command, Command> fault)
            throws Exception {
        return bulk(certificates, fault, c -> false);
    }

    /** As above; HAProxy's "currently locked" answer replaces the reply to each command {@code locked} selects. */
    private List<CertificateResult> bulk(List<DesiredCertificate> certificates, Function<Command, Command> fault,
                                         java.util.function.Predicate<Command> locked) throws Exception {
        return bulk(certificates, new Rewriting(haproxy.adminSocket(), fault, locked));
    }

    private List<CertificateResult> bulk(List<DesiredCertificate> certificates, Rewriting transport) throws Exception {
        try (RuntimeApiClient client = RuntimeApiClient.over(transport, RuntimeApiTimeouts.DEFAULT)) {
            TargetSession fallback = new TargetSession(client, target, DeployOptions.defaults(), m -> { }, true);
            List<CertificateResult> results = new BulkSession(client, target, DeployOptions.defaults(), m -> { },
                    (a, b) -> { }, fallback, BATCH).deploy(CertificateFeed.of(certificates).cursor());
            fallback.flush();
            return results;
        }
    }

    private Map<String, Outcome> outcomes(DeployReport report) {
        return report.results().stream().collect(Collectors.toMap(CertificateResult::certificate, CertificateResult::outcome));
    }

    @Test
    void eachTargetAfterTheFirstReadsTheSourceAnew() throws Exception {
        List<DesiredCertificate> first = certs(5, "t");
        // What the store holds when the second target's turn comes: t0 renewed meanwhile, the rest as before.
        List<DesiredCertificate> later = new ArrayList<>(first);
        later.set(0, cert("t0.bulk.test", haproxy.mint("t0.bulk.test")));
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        // Counted when listed, not when read: the targets' feeds are read side by side, in no set order.
        CertificateSource store = Sources.listings("a store renewed between targets", () -> {
            List<DesiredCertificate> held = reads.getAndIncrement() == 0 ? first : later;
            return sink -> held.forEach(c -> sink.accept(new SourceItem.Loaded(c)));
        });
        try (HaproxyProcess second = HaproxyProcess.builder().start()) {
            TargetConfig other = new TargetConfig("second", second.adminSocket().toString(), false,
                    second.crtList().toString(), second.certsDir().toString(), PathMapping.IDENTITY,
                    FileOwnership.DEFAULT, Optional.empty(), Optional.empty(), "", LeftoverTransactionPolicy.ABORT,
                    second.dir().resolve("hapcert.lock"), Optional.empty(), TargetConfig.DEFAULT_PAYLOAD_LIMIT,
                    Optional.empty());
            DeployReport report = new Deployer(DeployOptions.defaults(), m -> { })
                    .sync(CertificateFeed.read(List.of(store)), List.of(target, other));

            assertThat(reads.get()).isEqualTo(2);
            assertThat(report.results()).hasSize(10).allSatisfy(r ->
                    assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED));
            // Both serve every certificate: the first target t0 as its read found it, the second the renewed one.
            assertThat(haproxy.servedCertificate("t0.bulk.test").getSerialNumber())
                    .isEqualTo(first.get(0).bundle().leaf().getSerialNumber());
            assertThat(second.servedCertificate("t0.bulk.test").getSerialNumber())
                    .isEqualTo(later.get(0).bundle().leaf().getSerialNumber());
            for (int i = 1; i < 5; i++) {
                assertThat(second.servedCertificate("t" + i + ".bulk.test").getSerialNumber())
                        .isEqualTo(first.get(i).bundle().leaf().getSerialNumber());
            }
        }
    }

    @Test
    void startsOnHaproxyWhileTheSourceIsStillBeingRead() throws Exception {
        int delivered = 6;
        List<DesiredCertificate> all = certs(delivered + 5, "s");
        CountDownLatch gate = new CountDownLatch(1);
        CertificateSource heldBack = Sources.listing("a source that holds back its last certificates", sink -> {
            for (int i = 0; i < all.size(); i++) {
                if (i == delivered) {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                sink.accept(new SourceItem.Loaded(all.get(i)));
            }
        });
        CertificateFeed feed = CertificateFeed.read(List.of(heldBack));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<DeployReport> report = runner.submit(() -> new Deployer(DeployOptions.defaults(), m -> { })
                    .sync(feed, List.of(target)));
            // Watched by TLS handshakes, not the Runtime API, whose certificate lock the sync is holding.
            DesiredCertificate first = all.get(0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!haproxy.servedCertificate(first.name()).getSerialNumber().equals(first.bundle().leaf().getSerialNumber())
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // The first batch is served while the source has not delivered the rest yet.
            assertThat(haproxy.servedCertificate(first.name()).getSerialNumber())
                    .isEqualTo(first.bundle().leaf().getSerialNumber());
            assertThat(report.isDone()).isFalse();
            gate.countDown();
            assertThat(outcomes(report.get(60, TimeUnit.SECONDS)).values()).hasSize(all.size()).containsOnly(Outcome.ADDED);
        } finally {
            gate.countDown();
            runner.shutdownNow();
        }
        for (DesiredCertificate c : all) {
            assertThat(haproxy.servedCertificate(c.name()).getSerialNumber())
                    .isEqualTo(c.bundle().leaf().getSerialNumber());
        }
    }

    @Test
    void addsManyInBatchesVerifiedAndListedOnceAndARerunChangesNothing() throws Exception {
        List<DesiredCertificate> all = certs(COUNT, "a");
        List<CertificateResult> first = bulk(all, Function.identity());

        assertThat(first).hasSize(COUNT).allSatisfy(r -> {
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED);
            assertThat(r.detail()).endsWith("verified");
        });
        String crtList = Files.readString(haproxy.crtList());
        List<String> listed;
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            listed = c.showCrtList(haproxy.crtList().toString()).stream().map(e -> e.certificate()).toList();
        }
        for (DesiredCertificate c : all) {
            Path file = haproxy.certsDir().resolve(c.name() + ".pem");
            assertThat(Files.readAllBytes(file)).isEqualTo(c.bundle().haproxyPem());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo(
                    PosixFilePermissions.toString(FileOwnership.DEFAULT.mode()));
            assertThat(crtList.lines().filter(l -> l.equals(file.toString()))).hasSize(1);
            assertThat(listed.stream().filter(file.toString()::equals)).hasSize(1);
        }
        // Served, not just loaded: the first, one in the middle and the last certificate answer a handshake.
        for (int i : new int[] {0, COUNT / 2, COUNT - 1}) {
            assertThat(haproxy.servedCertificate(all.get(i).name()).getSerialNumber().toString(16).toUpperCase())
                    .isEqualTo(all.get(i).bundle().serialHex().replaceFirst("^0+(?!$)", ""));
        }
        assertThat(Files.list(haproxy.certsDir()).filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();

        // Again through the Deployer, which routes many certificates to the bulk path and records ownership.
        DeployReport again = sync(all);
        assertThat(again.results()).hasSize(COUNT).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.UNCHANGED));
        assertThat(Files.readString(haproxy.crtList())).isEqualTo(crtList);
        assertThat(OwnershipFile.read(haproxy.certsDir()).names()).hasSize(COUNT);
    }

    @Test
    void withVerifyTlsEveryCertificateIsCheckedByAHandshakeAndAWrongAddressFailsEachOne() throws Exception {
        List<DesiredCertificate> all = certs(BATCH + 7, "v");
        DeployOptions.TlsEndpoint served = new DeployOptions.TlsEndpoint("127.0.0.1", haproxy.httpsPort());
        DeployReport first = syncVerifyingTls(all, served);
        assertThat(first.results()).hasSize(all.size()).allSatisfy(r -> {
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED);
            assertThat(r.detail()).endsWith("; verified by TLS");
        });

        DeployReport again = syncVerifyingTls(all, served);
        assertThat(again.results()).allSatisfy(r -> {
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.UNCHANGED);
            assertThat(r.detail()).isEqualTo("already deployed; verified by TLS");
        });

        // Another HAProxy answers every name with its own default certificate: each check fails, the unchanged
        // ones too (a rerun after a failed check must fail again), and the one new certificate is still served and
        // listed for a restart, as on the one-certificate path.
        try (HaproxyProcess other = HaproxyProcess.builder().start()) {
            List<DesiredCertificate> more = new ArrayList<>(all);
            DesiredCertificate added = cert("w.bulk.test", haproxy.mint("w.bulk.test"));
            more.add(added);
            DeployReport wrong = syncVerifyingTls(more, new DeployOptions.TlsEndpoint("127.0.0.1", other.httpsPort()));
            assertThat(wrong.results()).hasSize(more.size()).allSatisfy(r -> {
                assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.VERIFY_FAILED);
                assertThat(r.detail()).startsWith("127.0.0.1:" + other.httpsPort() + " serves serial ")
                        .contains(", expected " + r.serial());
            });
            assertThat(haproxy.servedCertificate("w.bulk.test").getSerialNumber())
                    .isEqualTo(added.bundle().leaf().getSerialNumber());
            assertThat(Files.readString(haproxy.crtList()))
                    .contains(haproxy.certsDir().resolve("w.bulk.test.pem") + "\n");
        }
    }

    @Test
    void pruningManyTakesEachOutOfHaproxyAndOffTheCrtListFileAndDeletesItsFile() throws Exception {
        List<DesiredCertificate> all = certs(12, "p");
        List<String> before = Files.readAllLines(haproxy.crtList());
        assertThat(sync(all).results()).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.ADDED));

        List<DesiredCertificate> kept = all.subList(0, 4);
        DeployReport pruned = sync(kept);
        Map<String, Outcome> outcomes = outcomes(pruned);
        assertThat(outcomes).hasSize(12);
        List<String> keptLines = new ArrayList<>(before);
        for (DesiredCertificate c : kept) {
            keptLines.add(haproxy.certsDir().resolve(c.name() + ".pem").toString());
        }
        assertThat(Files.readAllLines(haproxy.crtList())).containsExactlyInAnyOrderElementsOf(keptLines);
        try (RuntimeApiClient client = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            List<String> listed = client.showCrtList(haproxy.crtList().toString()).stream().map(e -> e.certificate()).toList();
            for (DesiredCertificate c : all) {
                String name = haproxy.certsDir().resolve(c.name() + ".pem").toString();
                boolean keep = kept.contains(c);
                assertThat(outcomes.get(name)).as(name).isEqualTo(keep ? Outcome.UNCHANGED : Outcome.REMOVED);
                assertThat(Files.exists(Path.of(name))).as(name).isEqualTo(keep);
                assertThat(client.showSslCert(name).isPresent()).as(name).isEqualTo(keep);
                assertThat(listed.contains(name)).as(name).isEqualTo(keep);
            }
        }
        assertThat(OwnershipFile.read(haproxy.certsDir()).names()).hasSize(4);
        assertThat(haproxy.servedCertificate(kept.get(3).name()).getSerialNumber())
                .isEqualTo(kept.get(3).bundle().leaf().getSerialNumber());
        assertThat(haproxy.servedCertificate(all.get(4).name()).getSerialNumber())
                .isNotEqualTo(all.get(4).bundle().leaf().getSerialNumber());
    }

    @Test
    void overATransportWhereEachExchangeIsAConnectionABatchHoldsAThousand() throws Exception {
        List<DesiredCertificate> all = certs(250, "x");
        // As through an exec in a container: every exchange a whole connection of its own, here to the real socket.
        ConnectionPerExchange carrier = new ConnectionPerExchange(haproxy.adminSocket());
        dev.hapcert.haproxy.BatchTransport transport = carrier.transport();
        List<CertificateResult> results;
        try (RuntimeApiClient client = RuntimeApiClient.over(transport, RuntimeApiTimeouts.DEFAULT)) {
            assertThat(client.streams()).isFalse();
            TargetSession fallback = new TargetSession(client, target, DeployOptions.defaults(), m -> { }, true);
            results = new BulkSession(client, target, DeployOptions.defaults(), m -> { }, (a, b) -> { }, fallback)
                    .deploy(CertificateFeed.of(all).cursor());
        }
        assertThat(results).hasSize(250).allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED));
        // The 250 went in one exchange of about 1,000 commands (with batches of 100 it took three); the others are
        // the listings before it and the verification after it.
        assertThat(carrier.sizes().stream().filter(bytes -> bytes > 250 * 500)).hasSize(1);
        assertThat(carrier.sizes()).hasSizeLessThanOrEqualTo(5);
        assertThat(haproxy.servedCertificate(all.get(249).name()).getSerialNumber())
                .isEqualTo(all.get(249).bundle().leaf().getSerialNumber());
    }

    private DeployReport syncVerifyingTls(List<DesiredCertificate> certificates, DeployOptions.TlsEndpoint endpoint) {
        DeployOptions options = new DeployOptions(false, false, Optional.of(endpoint), DeployOptions.defaults().lockTimeout());
        return new Deployer(options, m -> { }).sync(certificates, Set.of(), List.of(target));
    }

    @Test
    void updatesKeepsAndRefusesOlderInOneRun() throws Exception {
        List<DesiredCertificate> first = certs(6, "m");
        assertThat(sync(first).results()).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.ADDED));
        // Renew 0-2, keep 3-4, and offer an older certificate for 5 (valid from before the served one).
        List<DesiredCertificate> next = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "m" + i + ".bulk.test";
            next.add(cert(name, haproxy.ca().leaf(name).issue()));
        }
        next.add(first.get(3));
        next.add(first.get(4));
        String older = "m5.bulk.test";
        java.time.Instant now = java.time.Instant.now();
        next.add(cert(older, haproxy.ca().leaf(older).validity(now.minus(java.time.Duration.ofDays(30)),
                now.plus(java.time.Duration.ofDays(30))).issue()));
        next.addAll(certs(3, "n"));

        Map<String, Outcome> got = outcomes(sync(next));

        for (int i = 0; i < 3; i++) {
            assertThat(got.get(haproxy.certsDir().resolve("m" + i + ".bulk.test.pem").toString())).isEqualTo(Outcome.UPDATED);
            assertThat(haproxy.servedCertificate("m" + i + ".bulk.test").getSerialNumber())
                    .isEqualTo(next.get(i).bundle().leaf().getSerialNumber());
            assertThat(Files.readAllBytes(haproxy.certsDir().resolve("m" + i + ".bulk.test.pem")))
                    .isEqualTo(next.get(i).bundle().haproxyPem());
        }
        assertThat(got.get(haproxy.certsDir().resolve("m3.bulk.test.pem").toString())).isEqualTo(Outcome.UNCHANGED);
        assertThat(got.get(haproxy.certsDir().resolve("m5.bulk.test.pem").toString())).isEqualTo(Outcome.REFUSED_OLDER);
        assertThat(Files.readAllBytes(haproxy.certsDir().resolve("m5.bulk.test.pem"))).isEqualTo(first.get(5).bundle().haproxyPem());
        assertThat(got.get(haproxy.certsDir().resolve("n2.bulk.test.pem").toString())).isEqualTo(Outcome.ADDED);
    }

    @Test
    void aRefusedCommitFailsItsOwnCertificateAndTheOthersCarryOn() throws Exception {
        List<DesiredCertificate> all = certs(BATCH + 20, "r");
        String victim = haproxy.certsDir().resolve("r7.bulk.test.pem").toString();
        Path symlinked = haproxy.certsDir().resolve("r9.bulk.test.pem");
        Path elsewhere = Files.writeString(haproxy.dir().resolve("elsewhere.txt"), "not a bundle\n");
        Files.createSymbolicLink(symlinked, elsewhere);
        // A commit HAProxy refuses, as real HAProxy refuses a commit naming another certificate: r7's transaction
        // stays open, and the next certificates' set commands land in it, as they would after any refused commit.
        Function<Command, Command> fault = c -> c.line().equals("commit ssl cert " + victim)
                ? Command.of("commit", "ssl", "cert", victim + ".other") : c;
        List<CertificateResult> results = bulk(all, fault);
        assertThat(results).hasSize(all.size());
        for (int i = 0; i < all.size(); i++) {
            CertificateResult r = results.get(i);
            assertThat(r.certificate()).isEqualTo(haproxy.certsDir().resolve("r" + i + ".bulk.test.pem").toString());
            if (i == 7) {
                assertThat(r.outcome()).isEqualTo(Outcome.HAPROXY_REFUSED);
                assertThat(r.detail()).contains("refused 'commit ssl cert " + victim + "'");
            } else if (i == 9) {
                assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(r.detail()).contains("is a symbolic link");
            } else {
                assertThat(r.outcome()).as(r.certificate() + ": " + r.detail()).isEqualTo(Outcome.ADDED);
                assertThat(haproxy.servedCertificate("r" + i + ".bulk.test").getSerialNumber())
                        .isEqualTo(all.get(i).bundle().leaf().getSerialNumber());
            }
        }
        // The refused certificate left nothing behind: no file, no store, no open transaction, no line.
        assertThat(Path.of(victim)).doesNotExist();
        assertThat(Files.readSymbolicLink(symlinked)).isEqualTo(elsewhere);
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            assertThat(c.showSslCerts().transactions()).isEmpty();
            assertThat(c.showSslCert(victim)).isEmpty();
        }
        assertThat(Files.readString(haproxy.crtList())).doesNotContain(victim).doesNotContain(symlinked.toString());
    }

    @Test
    void anUpdateWhoseCommitIsRefusedPutsBackTheFileItReplaced() throws Exception {
        List<DesiredCertificate> first = certs(4, "u");
        assertThat(bulk(first, c -> c)).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.ADDED));
        Path refused = haproxy.certsDir().resolve("u1.bulk.test.pem");
        byte[] before = Files.readAllBytes(refused);
        List<DesiredCertificate> next = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            String name = "u" + i + ".bulk.test";
            next.add(cert(name, haproxy.ca().leaf(name).issue()));
        }
        Function<Command, Command> fault = c -> c.line().equals("commit ssl cert " + refused)
                ? Command.of("commit", "ssl", "cert", refused + ".other") : c;

        List<CertificateResult> results = bulk(next, fault);

        assertThat(results.get(1).outcome()).isEqualTo(Outcome.HAPROXY_REFUSED);
        assertThat(Files.readAllBytes(refused)).as("the replaced bundle file, put back").isEqualTo(before);
        assertThat(haproxy.servedCertificate("u1.bulk.test").getSerialNumber())
                .isEqualTo(first.get(1).bundle().leaf().getSerialNumber());
        for (int i : new int[] {0, 2, 3}) {
            assertThat(results.get(i).outcome()).as(results.get(i).detail()).isEqualTo(Outcome.UPDATED);
            assertThat(Files.readAllBytes(haproxy.certsDir().resolve("u" + i + ".bulk.test.pem")))
                    .isEqualTo(next.get(i).bundle().haproxyPem());
        }
    }

    @Test
    void aCertificateCaughtByHaproxysLockIsRetriedAloneAndReportedAsThisRunsChange() throws Exception {
        List<DesiredCertificate> all = certs(BATCH + 5, "l");
        String committedOnly = haproxy.certsDir().resolve("l5.bulk.test.pem").toString();
        String notEvenSet = haproxy.certsDir().resolve("l30.bulk.test.pem").toString();
        // l5: its commit goes through, then the lock answers its crt-list entry, so the retry alone finds the new
        // certificate loaded and only the entry missing. l30: the lock answers its set, nothing of it is done.
        // Each answered "locked" once: the retry gets through.
        Set<String> lockedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<CertificateResult> results = bulk(all, c -> c, c ->
                ((c.words().get(0).equals("add") && new String(c.encode(), java.nio.charset.StandardCharsets.UTF_8)
                        .contains("<<\n" + committedOnly + "\n"))
                        || c.line().equals("set ssl cert " + notEvenSet))
                && lockedOnce.add(new String(c.encode(), java.nio.charset.StandardCharsets.UTF_8)));
        for (int i = 0; i < all.size(); i++) {
            CertificateResult r = results.get(i);
            assertThat(r.outcome()).as(r.certificate() + ": " + r.detail()).isEqualTo(Outcome.ADDED);
            assertThat(r.previousSerial()).as(r.certificate()).isNull();
            assertThat(haproxy.servedCertificate("l" + i + ".bulk.test").getSerialNumber())
                    .isEqualTo(all.get(i).bundle().leaf().getSerialNumber());
        }
        assertThat(results.get(5).detail()).contains("retried alone after HAProxy's certificate lock");
        assertThat(Files.readString(haproxy.crtList())).contains(committedOnly + "\n").contains(notEvenSet + "\n");
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            assertThat(c.showSslCerts().transactions()).isEmpty();
        }
    }

    @Test
    void batchesFollowEachOtherOnTheWireButAtMostTwoAwaitTheirReplies() throws Exception {
        List<DesiredCertificate> all = certs(BATCH * 2 + 17, "w");
        Rewriting transport = new Rewriting(haproxy.adminSocket(), c -> c, c -> false);
        List<CertificateResult> results = bulk(all, transport);
        assertThat(results).allSatisfy(r -> assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ADDED));
        // Batches of 40, 40, 17 new certificates, four commands each, one send each.
        int[] batches = {BATCH, BATCH, all.size() - 2 * BATCH};
        assertThat(transport.sends).hasSize(batches.length);
        long before = 0;
        for (int k = 0; k < batches.length; k++) {
            Rewriting.Send send = transport.sends.get(k);
            assertThat(send.size()).isEqualTo(4 * batches[k]);
            assertThat(send.writtenBefore()).isEqualTo(before);
            if (k >= 2) {
                // Everything up to the end of the batch before the last one sent is answered first.
                long upToBeforeLast = before - 4L * batches[k - 1];
                assertThat(send.answeredBefore()).as("replies in before batch " + (k + 1)).isGreaterThanOrEqualTo(upToBeforeLast);
            }
            before += send.size();
        }
        // HAProxy was not left to drain each batch before the next: some send found replies still due.
        assertThat(transport.sends).anySatisfy(send -> assertThat(send.answeredBefore()).isLessThan(send.writtenBefore()));
    }

    @Test
    void verificationFailsEachCertificateHaproxyDoesNotServeAsCommittedAndOnlyThat() throws Exception {
        List<DesiredCertificate> all = certs(BATCH + 10, "v");
        String other = haproxy.certsDir().resolve("v6.bulk.test.pem").toString();
        String mismatched = haproxy.certsDir().resolve("v5.bulk.test.pem").toString();
        String missing = haproxy.certsDir().resolve("v45.bulk.test.pem").toString();
        // What HAProxy answers the verification about v5 is v6's certificate; about v45, a name it does not have.
        Function<Command, Command> fault = c -> c.line().equals("show ssl cert " + mismatched)
                ? Command.of("show", "ssl", "cert", other)
                : c.line().equals("show ssl cert " + missing) ? Command.of("show", "ssl", "cert", missing + ".gone") : c;
        List<CertificateResult> results = bulk(all, fault);
        for (int i = 0; i < all.size(); i++) {
            CertificateResult r = results.get(i);
            if (i == 5) {
                assertThat(r.outcome()).isEqualTo(Outcome.VERIFY_FAILED);
                assertThat(r.detail()).contains("HAProxy reports serial " + all.get(6).bundle().serialHex())
                        .contains("expected " + all.get(5).bundle().serialHex());
            } else if (i == 45) {
                assertThat(r.outcome()).isEqualTo(Outcome.VERIFY_FAILED);
                assertThat(r.detail()).contains("after the commit HAProxy does not list " + missing);
            } else {
                assertThat(r.outcome()).as(r.certificate() + ": " + r.detail()).isEqualTo(Outcome.ADDED);
                assertThat(r.detail()).endsWith("; verified");
            }
        }
    }

    @Test
    void aConnectionLostMidwayFailsTheRestAndPutsBackTheFilesOfBatchesNeverSent() throws Exception {
        List<DesiredCertificate> all = certs(BATCH * 3 + 17, "x");
        // Batches of 40, 40, 40, 17: a payload over tune.bufsize in the second makes HAProxy 2.6 drop the connection.
        int dropAt = BATCH + 4;
        String dropped = haproxy.certsDir().resolve("x" + dropAt + ".bulk.test.pem").toString();
        Function<Command, Command> fault = c -> c.line().equals("set ssl cert " + dropped)
                ? Command.withPayload("x".repeat(20_000), "set", "ssl", "cert", dropped) : c;
        List<CertificateResult> results = bulk(all, fault);
        assertThat(results).hasSize(all.size());
        int secondBatchEnd = 2 * BATCH;
        int thirdBatchEnd = 3 * BATCH;
        for (int i = 0; i < all.size(); i++) {
            CertificateResult r = results.get(i);
            Path file = haproxy.certsDir().resolve("x" + i + ".bulk.test.pem");
            if (i < BATCH) {
                assertThat(r.outcome()).as(r.certificate() + ": " + r.detail()).isEqualTo(Outcome.ADDED);
                assertThat(haproxy.servedCertificate("x" + i + ".bulk.test").getSerialNumber())
                        .isEqualTo(all.get(i).bundle().leaf().getSerialNumber());
            } else {
                assertThat(r.outcome()).as(r.certificate() + ": " + r.detail()).isEqualTo(Outcome.UNREACHABLE);
                if (i >= thirdBatchEnd) {
                    // The fourth batch waits for the second to be answered, which never happens: planned and
                    // written ahead, never sent, so the file was put back (there was none).
                    assertThat(file).as("bundle file of a batch never sent").doesNotExist();
                } else if (i >= secondBatchEnd && Files.exists(file)) {
                    // The third may have gone out behind the second before HAProxy dropped the connection: its
                    // files stay, complete, as for the second.
                    assertThat(Files.readAllBytes(file)).isEqualTo(all.get(i).bundle().haproxyPem());
                }
            }
        }
        // Nothing is left half-done in HAProxy: no transaction stays open.
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            assertThat(c.showSslCerts().transactions()).isEmpty();
        }
    }

    @Test
    void aCrtListFileThatCannotBeWrittenFailsTheCertificatesHaproxyServesWithoutIt() throws Exception {
        List<DesiredCertificate> all = certs(BATCH + 5, "u");
        String last = haproxy.certsDir().resolve("u" + (all.size() - 1) + ".bulk.test.pem").toString();
        Path list = haproxy.crtList();
        byte[] before = Files.readAllBytes(list);
        // Writable when the sync starts and checks; by the end, a directory stands where the file was.
        Function<Command, Command> swap = c -> {
            if (c.line().startsWith("add ssl crt-list ") && Files.isRegularFile(list)
                    && new String(c.encode(), java.nio.charset.StandardCharsets.US_ASCII).contains(last + "\n")) {
                try {
                    Files.delete(list);
                    Files.createDirectory(list);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return c;
        };
        List<CertificateResult> results;
        try {
            results = bulk(all, swap);
        } finally {
            if (Files.isDirectory(list)) {
                Files.delete(list);
                Files.write(list, before);
            }
        }
        assertThat(results).hasSize(all.size()).allSatisfy(r -> {
            assertThat(r.outcome()).as(r.certificate()).isEqualTo(Outcome.FAILED);
            assertThat(r.detail()).startsWith("served, but the crt-list file was not updated, so a restart would drop it");
        });
        // Served all the same, and verified before the crt-list file was written.
        for (DesiredCertificate c : all) {
            assertThat(haproxy.servedCertificate(c.name()).getSerialNumber()).isEqualTo(c.bundle().leaf().getSerialNumber());
        }
    }

    /** A real connection that rewrites chosen commands on their way out: a fault HAProxy then answers for real. */
    private static final class Rewriting implements RuntimeApiTransport {
        private static final String LOCKED = "Can't update the certificate!\nOperations on certificates are currently locked!\n";
        private final Path socket;
        private final RuntimeApiConnection connection;
        private final Function<Command, Command> rewrite;
        private final java.util.function.Predicate<Command> locked;
        /** Each pipelined send: how many commands had been written and answered before it, and its size. */
        final List<Send> sends = new ArrayList<>();
        private long answered;

        record Send(long writtenBefore, long answeredBefore, int size) {
        }

        Rewriting(Path socket, Function<Command, Command> rewrite, java.util.function.Predicate<Command> locked)
                throws Exception {
            this.socket = socket;
            this.rewrite = rewrite;
            this.locked = locked;
            this.connection = RuntimeApiConnection.open(RuntimeApiAddress.unix(socket), RuntimeApiTimeouts.DEFAULT);
        }

        @Override
        public List<Reply> exchange(List<Command> commands) throws dev.hapcert.error.HaproxyUnreachableException {
            // A command answered "locked" is not carried out: HAProxy gets a harmless one in its place.
            boolean[] isLocked = new boolean[commands.size()];
            List<Command> sent = new ArrayList<>();
            for (int i = 0; i < commands.size(); i++) {
                isLocked[i] = locked.test(commands.get(i));
                sent.add(isLocked[i] ? Command.of("show", "ssl", "cert") : rewrite.apply(commands.get(i)));
            }
            List<Reply> got = connection.exchange(sent);
            List<Reply> out = new ArrayList<>();
            for (int i = 0; i < got.size(); i++) {
                out.add(new Reply(commands.get(i), isLocked[i] ? LOCKED : got.get(i).text()));
            }
            return out;
        }

        /** Streams like the real connection, with the same rewriting and the same "locked" answers. */
        @Override
        public Pipeline openPipeline(java.util.function.Consumer<Reply> listener) {
            java.util.ArrayDeque<Command> given = new java.util.ArrayDeque<>();
            java.util.ArrayDeque<Boolean> answeredLocked = new java.util.ArrayDeque<>();
            Pipeline wire = connection.openPipeline(r -> {
                answered++;
                listener.accept(new Reply(given.removeFirst(), answeredLocked.removeFirst() ? LOCKED : r.text()));
            });
            return new Pipeline() {
                private long written;

                @Override
                public void send(List<Command> commands) throws dev.hapcert.error.HaproxyUnreachableException {
                    sends.add(new Send(written, answered, commands.size()));
                    written += commands.size();
                    List<Command> sent = new ArrayList<>();
                    for (Command c : commands) {
                        boolean isLocked = locked.test(c);
                        given.addLast(c);
                        answeredLocked.addLast(isLocked);
                        sent.add(isLocked ? Command.of("show", "ssl", "cert") : rewrite.apply(c));
                    }
                    wire.send(sent);
                }

                @Override
                public void awaitUnanswered(int atMost) throws dev.hapcert.error.HaproxyUnreachableException {
                    wire.awaitUnanswered(atMost);
                }
            };
        }

        @Override
        public RuntimeApiAddress address() {
            return connection.address();
        }

        /** The same rewriting on the new connection: verification and the planner's looks go through it too. */
        @Override
        public RuntimeApiTransport reconnect() throws dev.hapcert.error.HaproxyUnreachableException {
            try {
                return new Rewriting(socket, rewrite, locked);
            } catch (dev.hapcert.error.HaproxyUnreachableException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            connection.close();
        }
    }
}
