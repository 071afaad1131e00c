package dev.hapcert.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.source.DesiredCertificate;
import dev.hapcert.testkit.TestCertificates;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private static final String NAME = "/etc/haproxy/certs/shop.example.com.pem";
    private static DesiredCertificate cert;

    @BeforeAll
    static void mint() throws Exception {
        TestCertificates.Authority ca = TestCertificates.newRootCa("Planner CA").intermediate("Planner R1");
        TestCertificates.Issued issued = ca.leaf("shop.example.com").issue();
        cert = new DesiredCertificate("shop.example.com", BundleReader.fromPem(issued.haproxyPem(), "test"), List.of(), "test");
    }

    /** What HAProxy reports for a store: the bundle's own serial when the fingerprint is the bundle's. */
    private static ObservedState.Loaded loaded(String fingerprint, Instant notBefore) {
        String serial = fingerprint.equals(cert.bundle().sha1Fingerprint()) ? cert.bundle().serialHex() : "0102";
        return new ObservedState.Loaded(Optional.of(serial), Optional.of(fingerprint), Optional.of(notBefore));
    }

    @Test
    void theSameSerialFromAnotherIssuerIsAnotherCertificate() {
        // Serials are unique per CA only: with the serial equal, the fingerprint decides.
        ObservedState.Loaded sameSerial = new ObservedState.Loaded(Optional.of(cert.bundle().serialHex()),
                Optional.of("AA"), Optional.of(cert.bundle().notBefore()));
        assertThat(sameSerial.matches(cert.bundle())).isFalse();
        assertThat(loaded(cert.bundle().sha1Fingerprint(), cert.bundle().notBefore()).matches(cert.bundle())).isTrue();
        assertThat(loaded("AA", cert.bundle().notBefore()).matches(cert.bundle())).isFalse();
    }

    @Test
    void brandNewCertificateNeedsEveryStep() {
        PlanStep step = Planner.plan(cert, NAME, new ObservedState(Optional.empty(), false, false, false, false), false);
        assertThat(step).isInstanceOf(PlanStep.Add.class);
        assertThat(((PlanStep.Add) step).work()).isEqualTo(new PlanStep.Work(true, true, true, true, true));
    }

    @Test
    void identicalEverywhereIsUnchanged() {
        ObservedState same = new ObservedState(Optional.of(loaded(cert.bundle().sha1Fingerprint(), cert.bundle().notBefore())),
                true, true, true, true);
        assertThat(Planner.plan(cert, NAME, same, false)).isInstanceOf(PlanStep.Unchanged.class);
    }

    @Test
    void renewalReplacesTheLoadedCertificateOnly() {
        ObservedState older = new ObservedState(Optional.of(loaded("AA", cert.bundle().notBefore().minus(Duration.ofDays(30)))),
                true, false, true, true);
        PlanStep step = Planner.plan(cert, NAME, older, false);
        assertThat(step).isInstanceOf(PlanStep.Update.class);
        assertThat(((PlanStep.Update) step).work()).isEqualTo(new PlanStep.Work(true, false, true, false, false));
    }

    @Test
    void olderCertificateNeverReplacesANewerOneUnlessForced() {
        ObservedState newer = new ObservedState(Optional.of(loaded("AA", cert.bundle().notBefore().plus(Duration.ofDays(1)))),
                true, false, true, true);
        assertThat(Planner.plan(cert, NAME, newer, false)).isInstanceOf(PlanStep.Refused.class);
        assertThat(Planner.plan(cert, NAME, newer, true)).isInstanceOf(PlanStep.Update.class);
    }

    @Test
    void emptyStoreLeftByACrashIsFilledWithoutNewSslCert() {
        ObservedState empty = new ObservedState(Optional.of(new ObservedState.Loaded(Optional.empty(), Optional.empty(),
                Optional.empty())), false, false, false, false);
        PlanStep step = Planner.plan(cert, NAME, empty, false);
        assertThat(step).isInstanceOf(PlanStep.Add.class);
        assertThat(((PlanStep.Add) step).work().createInRuntime()).isFalse();
        assertThat(((PlanStep.Add) step).work().loadInRuntime()).isTrue();
    }

    @Test
    void crashAfterCommitOnlyCompletesTheCrtList() {
        ObservedState committed = new ObservedState(Optional.of(loaded(cert.bundle().sha1Fingerprint(), cert.bundle().notBefore())),
                true, true, false, false);
        PlanStep step = Planner.plan(cert, NAME, committed, false);
        assertThat(step).isInstanceOf(PlanStep.Update.class);
        assertThat(((PlanStep.Update) step).work()).isEqualTo(new PlanStep.Work(false, false, false, true, true));
    }
}
