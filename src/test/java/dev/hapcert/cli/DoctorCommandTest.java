package dev.hapcert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.hapcert.testkit.HaproxyProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hapcert doctor} on the command line: the table, JSON, exit codes 0 and 8, stdout for the report only. */
class DoctorCommandTest {
    @TempDir
    static Path tmp;
    static HaproxyProcess haproxy;

    @BeforeAll
    static void start() {
        haproxy = HaproxyProcess.builder().start();
    }

    @AfterAll
    static void stop() {
        haproxy.close();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run hapcert(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--certbot-dir", tmp.resolve("le").toString(), "--certbot", "hapcert-test-no-such-certbot"));
        int code = new Cli(new PrintWriter(out), new PrintWriter(err), Map.of()).run(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void healthyIsExitZeroWithATable() {
        Run run = hapcert("doctor", "--haproxy-config", haproxy.config().toString());

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out().lines().findFirst().orElseThrow()).contains("CHECK").contains("TARGET").contains("FINDING");
        assertThat(run.out()).contains("ok    runtime-api").doesNotContain("FAIL");
        assertThat(run.err()).contains("doctor: ").contains("0 failure(s)");
    }

    @Test
    void aFailureIsExitEightWithItsFixOnTheNextLine() {
        Run run = hapcert("doctor", "--haproxy-config", tmp.resolve("nope.cfg").toString());

        assertThat(run.code()).isEqualTo(8);
        List<String> lines = run.out().lines().toList();
        int fail = lines.indexOf(lines.stream().filter(l -> l.startsWith("FAIL  config")).findFirst().orElseThrow());
        assertThat(lines.get(fail + 1).strip()).startsWith("fix: ");
        assertThat(run.err()).contains("1 failure(s)");
    }

    @Test
    void jsonListsEveryFindingWithItsFields() throws Exception {
        Run run = hapcert("doctor", "--json", "--haproxy-config", haproxy.config().toString());

        assertThat(run.code()).isZero();
        List<Map<String, String>> findings = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(run.out())) {
            Map<String, String> current = null;
            String field = null;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.START_OBJECT && "findings".equals(field)) {
                    current = new HashMap<>();
                } else if (t == JsonToken.END_OBJECT && current != null) {
                    findings.add(current);
                    current = null;
                } else if (t == JsonToken.FIELD_NAME && current == null) {
                    field = p.currentName();
                } else if (t == JsonToken.VALUE_STRING && current != null) {
                    current.put(p.currentName(), p.getText());
                }
            }
        }
        assertThat(findings).isNotEmpty().allSatisfy(f -> assertThat(f).containsKeys("check", "target", "severity", "message", "fix"));
        assertThat(findings).extracting(f -> f.get("check")).contains("config", "runtime-api", "certbot-hook");
        assertThat(findings).extracting(f -> f.get("severity")).containsOnly("ok");
    }
}
