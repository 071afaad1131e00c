package dev.hapcert.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hapcert.safety.SafetyCase.Invocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad-input, target and Runtime API case of the reliability table, run in-process through the CLI against
 * ONE real HAProxy that already serves a certificate deployed by hapcert. After every case: the good certificate is
 * still served (TLS handshake), no transaction is open, and the output holds no key material; a refused case also
 * leaves the files (byte for byte) and what HAProxy has loaded exactly as they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SafetyCasesTest {
    private Sandbox sandbox;

    static List<SafetyCase> cases() {
        List<SafetyCase> all = new ArrayList<>(InputCases.all());
        all.addAll(TargetCases.all());
        return all;
    }

    static Stream<SafetyCase> caseStream() {
        return cases().stream();
    }

    @BeforeAll
    void start() {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        sandbox = new Sandbox();
    }

    @AfterAll
    void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseStream")
    void holds(SafetyCase c) throws Exception {
        Sandbox s = sandbox;
        Invocation inv = c.setup().prepare(s);
        Path[] watched = inv.watched().toArray(Path[]::new);
        Map<String, String> filesBefore = s.snapshot(watched);
        List<String> loadedBefore = s.runtimeSnapshot();
        String haproxyLogBefore = s.haproxy.log();
        try {
            Sandbox.Run r = s.run(inv.env(), inv.args());
            // Checked before anything prints the output.
            s.assertNoKeyMaterial("stdout", r.out());
            s.assertNoKeyMaterial("stderr", r.err());
            s.assertNoKeyMaterial("HAProxy's log", s.haproxy.log().substring(haproxyLogBefore.length()));
            assertThat(r.exit()).as(c.name() + ": " + r.describe()).isEqualTo(c.exit().code());
            if (c.accepted()) {
                s.assertServing(inv.servedSni(), inv.served());
                for (SafetyCase.Step check : inv.checks()) {
                    check.run();
                }
            } else {
                assertThat(r.out() + r.err()).as("the message an operator acts on").contains(c.fragment());
                assertThat(s.snapshot(watched)).as("files after the run").isEqualTo(filesBefore);
                assertThat(s.runtimeSnapshot()).as("what HAProxy has loaded after the run").isEqualTo(loadedBefore);
            }
        } finally {
            for (SafetyCase.Step step : inv.cleanup()) {
                step.run();
            }
        }
        s.assertServing(Sandbox.GOOD_SNI, s.good);
        s.assertNoTransaction();
    }
}
