package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.InvalidInputException;
import dev.hapcert.testkit.Sources;
import dev.hapcert.testkit.TestCertificates;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The feed a sync deploys from while its sources are still being read. */
class CertificateFeedTest {
    private static final List<DesiredCertificate> CERTS = new ArrayList<>();

    @BeforeAll
    static void mint() throws Exception {
        TestCertificates.Authority ca = TestCertificates.newRootCa("Feed CA");
        for (int i = 0; i < 4; i++) {
            String name = "feed" + i + ".example.test";
            CERTS.add(new DesiredCertificate(name, BundleReader.fromPem(ca.leaf(name).issue().haproxyPem(), name),
                    List.of(), "test"));
        }
    }

    /** A source whose entries come one by one, the third only once {@code gate} opens. */
    private static CertificateSource gated(CountDownLatch gate) {
        return Sources.listing("gated test source", sink -> {
            sink.accept(new SourceItem.Loaded(CERTS.get(0)));
            sink.accept(new SourceItem.Failed("broken", "test", new InvalidInputException("broken bundle")));
            sink.accept(new SourceItem.Loaded(CERTS.get(1)));
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sink.accept(new SourceItem.Skipped("old", "test", "no renewal configuration"));
            sink.accept(new SourceItem.Loaded(CERTS.get(2)));
        });
    }

    @Test
    void awaitNextTellsWhetherTheNextCertificateIsThereWithinTheWait() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CertificateFeed feed = CertificateFeed.read(List.of(gated(gate)));
        CertificateFeed.Cursor cursor = feed.cursor();
        assertThat(cursor.awaitNext(10_000)).isTrue();
        assertThat(cursor.next()).isSameAs(CERTS.get(0));
        assertThat(cursor.awaitNext(10_000)).isTrue();
        assertThat(cursor.next()).isSameAs(CERTS.get(1));
        // The reader is held at the gate: the wait ends without a certificate, and next() would block.
        assertThat(cursor.awaitNext(50)).isFalse();
        // A look at the first names does not wait for the rest of the read.
        assertThat(feed.firstNames(2)).containsExactly(CERTS.get(0).name(), CERTS.get(1).name());
        gate.countDown();
        assertThat(cursor.awaitNext(10_000)).isTrue();
        assertThat(cursor.next()).isSameAs(CERTS.get(2));
        // At the end of the sources there is nothing to wait for: next() answers null at once.
        assertThat(cursor.awaitNext(10_000)).isTrue();
        assertThat(cursor.next()).isNull();
        assertThat(feed.firstNames(5)).hasSize(3);
    }

    @Test
    void handsOutCertificatesWhileTheRestIsStillBeingRead() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CertificateFeed feed = CertificateFeed.read(List.of(gated(gate)));
        CertificateFeed.Cursor cursor = feed.cursor();
        assertThat(cursor.next()).isSameAs(CERTS.get(0));
        assertThat(cursor.next()).isSameAs(CERTS.get(1));
        assertThat(feed.hasAtLeast(2)).isTrue();

        // The reader is held at the gate: the next certificate waits for it.
        CountDownLatch gotThird = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            if (cursor.next() == CERTS.get(2)) {
                gotThird.countDown();
            }
        });
        waiter.start();
        assertThat(gotThird.await(200, TimeUnit.MILLISECONDS)).isFalse();
        gate.countDown();
        assertThat(gotThird.await(10, TimeUnit.SECONDS)).isTrue();
        waiter.join();

        assertThat(feed.names()).containsExactly(CERTS.get(0).name(), CERTS.get(1).name(), CERTS.get(2).name());
        assertThat(feed.notLoaded()).extracting(SourceItem::name).containsExactly("broken", "old");
        assertThat(feed.namesNotLoaded()).containsExactlyInAnyOrder("broken", "old");
        assertThatThrownBy(feed::cursor).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void againReadsTheSourcesAnewForTheNextTarget() throws Exception {
        AtomicInteger read = new AtomicInteger();
        CertificateFeed feed = CertificateFeed.read(List.of(counted(3, read)));
        CertificateFeed.Cursor walk = feed.cursor();
        while (walk.next() != null) {
            // the first target's walk
        }
        CertificateFeed next = feed.again();
        // Not walked yet: the whole read is there, certificates and all.
        assertThat(next.all()).extracting(DesiredCertificate::name).containsExactly("n0", "n1", "n2");
        assertThat(read.get()).isEqualTo(6);
        CertificateFeed.Cursor second = next.cursor();
        assertThat(second.next().name()).isEqualTo("n0");

        // Certificates in hand come back as they are.
        CertificateFeed inHand = CertificateFeed.of(CERTS.subList(0, 2));
        assertThat(inHand.cursor().next()).isSameAs(CERTS.get(0));
        assertThat(inHand.again().all()).containsExactly(CERTS.get(0), CERTS.get(1));
    }

    /** A source of {@code count} entries (the same certificate under its own name each time), counting what it read. */
    private static CertificateSource counted(int count, AtomicInteger read) {
        DesiredCertificate one = CERTS.get(0);
        return Sources.listing("large test source", sink -> {
            for (int i = 0; i < count; i++) {
                sink.accept(new SourceItem.Loaded(new DesiredCertificate("n" + i, one.bundle(), List.of(), "test")));
                read.incrementAndGet();
            }
        });
    }

    /** Waits until {@code read} stops changing for a while, and returns where it stopped. */
    private static int settled(AtomicInteger read) throws InterruptedException {
        int seen = -1;
        while (seen != read.get()) {
            seen = read.get();
            Thread.sleep(200);
        }
        return seen;
    }

    @Test
    void theWalkLetsCertificatesGoAndHoldsTheReaderAtMostMaxAheadOfIt() throws Exception {
        int total = CertificateFeed.MAX_AHEAD + 50;
        AtomicInteger read = new AtomicInteger();
        CertificateFeed feed = CertificateFeed.read(List.of(counted(total, read)));
        CertificateFeed.Cursor walk = feed.cursor();
        assertThatThrownBy(feed::cursor).isInstanceOf(IllegalStateException.class);

        // Nothing handed out yet: the reader stops once MAX_AHEAD certificates wait.
        assertThat(settled(read)).isEqualTo(CertificateFeed.MAX_AHEAD);
        for (int i = 0; i < 20; i++) {
            assertThat(walk.next().name()).isEqualTo("n" + i);
        }
        assertThat(settled(read)).isEqualTo(CertificateFeed.MAX_AHEAD + 20);

        // What is left of a certificate once handed out is its name and serial, for reports and prunes; asking for the
        // whole read lets the reader finish at once, so a walker that asks never waits for itself.
        assertThat(feed.names()).hasSize(total).startsWith("n0", "n1").endsWith("n" + (total - 1));
        assertThat(read.get()).isEqualTo(total);
        assertThat(feed.summaries().get(0)).isEqualTo(new CertificateFeed.Summary("n0", CERTS.get(0).bundle().serialHex()));
        assertThatThrownBy(feed::all).isInstanceOf(IllegalStateException.class).hasMessageContaining("let");
        int walked = 20;
        while (walk.next() != null) {
            walked++;
        }
        assertThat(walked).isEqualTo(total);
    }

    @Test
    void feedsWalkedAtOnceShareTheReadAheadOfOne() throws Exception {
        int total = CertificateFeed.MAX_AHEAD;
        AtomicInteger read = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        CertificateFeed feed = CertificateFeed.read(List.of(gated(counted(total, read), gate)));
        feed.shareReadAhead(4);
        gate.countDown();
        assertThat(settled(read)).isEqualTo(CertificateFeed.MAX_AHEAD / 4);
        CertificateFeed.Cursor walk = feed.cursor();
        assertThat(walk.next().name()).isEqualTo("n0");
        assertThat(settled(read)).isEqualTo(CertificateFeed.MAX_AHEAD / 4 + 1);

        // A feed read anew for another target keeps the share: together they hold what one feed would.
        CertificateFeed again = feed.again();
        assertThat(settled(read)).isEqualTo(CertificateFeed.MAX_AHEAD / 4 + 1 + CertificateFeed.MAX_AHEAD / 4);
        assertThat(again.names()).hasSize(total);
        assertThatThrownBy(() -> feed.shareReadAhead(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aShareOfTheReadAheadIsNeverBelowAFewBatches() throws Exception {
        AtomicInteger read = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        CertificateFeed feed = CertificateFeed.read(List.of(gated(counted(CertificateFeed.MAX_AHEAD, read), gate)));
        feed.shareReadAhead(CertificateFeed.MAX_AHEAD);
        gate.countDown();
        assertThat(settled(read)).isEqualTo(CertificateFeed.MIN_SHARE);
    }

    @Test
    void theReaderIsBoundedBeforeTheWalkBeginsAndReadsWhatIsAskedFor() throws Exception {
        AtomicInteger read = new AtomicInteger();
        CertificateFeed feed = CertificateFeed.read(List.of(counted(CertificateFeed.MAX_AHEAD + 50, read)));
        // No walk yet (a deploy still waiting for its lock): the reader stops at the bound all the same.
        assertThat(settled(read)).isEqualTo(CertificateFeed.MAX_AHEAD);
        feed.shareReadAhead(8);
        assertThat(feed.hasAtLeast(CertificateFeed.MAX_AHEAD + 20)).isTrue();
        assertThat(feed.firstNames(3)).containsExactly("n0", "n1", "n2");
        assertThat(settled(read)).isEqualTo(CertificateFeed.MAX_AHEAD + 20);
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void certificatesInHandBeyondTheBoundAreAllThere() {
        DesiredCertificate one = CERTS.get(0);
        List<DesiredCertificate> many = new java.util.ArrayList<>();
        for (int i = 0; i < CertificateFeed.MAX_AHEAD + 5; i++) {
            many.add(new DesiredCertificate("n" + i, one.bundle(), List.of(), "test"));
        }
        CertificateFeed feed = CertificateFeed.of(many);
        assertThat(feed.hasAtLeast(CertificateFeed.MAX_AHEAD + 5)).isTrue();
        CertificateFeed.Cursor walk = feed.cursor();
        int walked = 0;
        while (walk.next() != null) {
            walked++;
        }
        assertThat(walked).isEqualTo(CertificateFeed.MAX_AHEAD + 5);
    }

    /** {@code source}, whose reading starts once {@code gate} opens. */
    private static CertificateSource gated(CertificateSource source, CountDownLatch gate) {
        return Sources.listing("gated test source", sink -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                source.list().readEach(sink);
            } catch (HapcertException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aSourceThatCannotBeReadAtAllFailsBeforeAnythingIsHandedOut() {
        CertificateSource missing = new CertificateSource() {
            @Override
            public List<DesiredCertificate> load() throws HapcertException {
                throw new ConfigException("directory /nowhere does not exist");
            }

            @Override
            public Listing list() throws HapcertException {
                throw new ConfigException("directory /nowhere does not exist");
            }

            @Override
            public String describe() {
                return "missing";
            }
        };
        // The first source is fine; the second fails as a whole: the read fails before the first is handed out.
        assertThatThrownBy(() -> CertificateFeed.read(List.of(sourceOf(CERTS.get(3)), missing)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("/nowhere");
    }

    @Test
    void aFeedInHandIsCompleteAtOnce() {
        CertificateFeed feed = CertificateFeed.of(CERTS.subList(0, 2));
        assertThat(feed.hasAtLeast(3)).isFalse();
        assertThat(feed.all()).hasSize(2);
        assertThat(feed.notLoaded()).isEmpty();
    }

    @Test
    void aBugInTheReaderIsNotMistakenForTheEndOfTheSource() {
        CertificateSource buggy = Sources.listing("buggy", sink -> {
            sink.accept(new SourceItem.Loaded(CERTS.get(0)));
            throw new IllegalStateException("bug");
        });
        CertificateFeed feed;
        try {
            feed = CertificateFeed.read(List.of(buggy));
        } catch (HapcertException e) {
            throw new AssertionError(e);
        }
        CertificateFeed.Cursor cursor = feed.cursor();
        assertThat(cursor.next()).isSameAs(CERTS.get(0));
        assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class).hasRootCauseMessage("bug");
    }

    private static CertificateSource sourceOf(DesiredCertificate c) {
        return new CertificateSource() {
            @Override
            public List<DesiredCertificate> load() {
                return List.of(c);
            }

            @Override
            public String describe() {
                return "one";
            }
        };
    }
}
