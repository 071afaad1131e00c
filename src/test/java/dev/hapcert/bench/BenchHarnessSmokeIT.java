package dev.hapcert.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the benchmark harness ({@code bench/run.sh --smoke}) with tiny numbers against real HAProxy processes and the
 * packaged launcher, so a broken harness is found by the test suite rather than on benchmark day. Its figures mean
 * nothing; what it checks is that every section runs, that hot deploys under load lose no handshake or request, and
 * that the result is one markdown table. Sections whose tools are not installed (hyperfine, wrk, GNU time) are left
 * out; ./run bench installs them.
 */
class BenchHarnessSmokeIT {
    @Test
    void aSmokeRunWritesOneTableWithEverySection(@TempDir Path tmp) throws Exception {
        Path home = Path.of(System.getProperty("hapcert.home", ".")).toAbsolutePath();
        List<String> sections = new ArrayList<>(List.of("memory"));
        if (Files.isExecutable(Path.of("/usr/bin/time"))) {
            sections.add("bulk");
            sections.add("scale");
            sections.add("options");
        }
        if (onPath("hyperfine")) {
            sections.add("single");
        }
        if (onPath("wrk")) {
            sections.add("zero");
        }
        Path out = tmp.resolve("smoke.md");
        CommandRun run = CommandRun.run(List.of("bash", home.resolve("bench/run.sh").toString(), "--smoke", "--only",
                String.join(",", sections), "--out", out.toString()), Map.of(), home, Duration.ofMinutes(5));

        assertThat(run.exitCode()).as(run.describe()).isZero();
        String table = Files.readString(out);
        assertThat(table).contains("| goal | figure | hapcert | baseline (same run) | ratio | target | verdict |",
                "| 4 memory | HAProxy RSS after 3 rotations of 3 certs", "- Machine: ", "- JDK: ");
        if (sections.contains("bulk")) {
            assertThat(table).contains("| 1 bulk (floor) |").contains("| 1 bulk (baseline) |");
            assertThat(table).contains("| 1 bulk (scale) | hapcert sync of 100 new certs, s (listed after: 100) |",
                    "| 4 memory (scale) |");
            assertThat(table).contains("(verified by TLS: 20; listed after: 20) |",
                    "| 1 bulk (--prune) | hapcert sync --prune removing 10 of those 20 certs, s (listed after: 10) |");
        }
        if (sections.contains("single")) {
            assertThat(table).contains("| 2 single deploy | renewal into 20 certs, median ms (JDK 17");
        }
        if (sections.contains("zero")) {
            assertThat(table).contains("| 3 zero downtime | 3 hapcert deploys under load: failed handshakes / requests /"
                    + " deploys | 0 / 0 / 0 |", "| 3 zero downtime | new serials seen by clients");
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
