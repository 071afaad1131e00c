package dev.hapcert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line in-process through {@link Cli#run}: usage errors, missing input, unknown targets, help and
 * version. None of these reach an HAProxy; the errors are caught before anything is contacted.
 */
class CliTest {
    @TempDir
    Path tmp;

    /** What one run printed and returned. */
    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new Cli(new PrintWriter(out), new PrintWriter(err), env).run(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Run run(String... args) {
        return run(Map.of(), args);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "deploy --no-such-option",
        "frobnicate",
        "deploy --lineage",
        "deploy --lock-timeout soon",
        "deploy --lineage /x --fullchain /y",
        "deploy --chain /x",
        "deploy extra-argument"})
    void usageErrorsExitTwoWithAHintAndNoReport(String commandLine) {
        Run r = run(commandLine.split(" "));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("hapcert: ").contains("--help' for usage.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void noCertificateGivenExitsThreeAndSaysHowToGiveOne() {
        Run r = run("deploy", "--haproxy-config", tmp.resolve("haproxy.cfg").toString());
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("hapcert: no certificate given: run hapcert deploy as the deploy hook of certbot "
                + "(RENEWED_LINEAGE), lego (LEGO_CERT_PATH), acme.sh (contrib/acme.sh/hapcert.sh) or dehydrated "
                + "(contrib/dehydrated/hook.sh), or give --lineage DIR, or --fullchain FILE --key FILE"
                + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @Test
    void emptyRenewedLineageIsInvalidInput() {
        Run r = run(Map.of("RENEWED_LINEAGE", ""), "deploy");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("RENEWED_LINEAGE is set but empty");
    }

    @Test
    void unknownTargetNameIsAConfigurationErrorListingTheTargets() throws IOException {
        TestCertificates.Issued issued = TestCertificates.newRootCa("CliTest CA").leaf("cli.example.test").issue();
        Path cert = tmp.resolve("fullchain.pem");
        Files.writeString(cert, issued.fullchainPem());
        Path key = Files.createFile(tmp.resolve("privkey.pem"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(key, issued.keyPkcs8Pem());
        Path yml = tmp.resolve("hapcert.yml");
        Files.writeString(yml, """
                targets:
                  - name: edge
                    runtime-api: %1$s/admin.sock
                    crt-list: %1$s/crt-list.txt
                    lock-file: %1$s/edge.lock
                  - name: core
                    runtime-api: %1$s/core.sock
                    crt-list: %1$s/core-list.txt
                    lock-file: %1$s/core.lock
                """.formatted(tmp));

        Run r = run("deploy", "--config", yml.toString(), "--target", "edge,nope", "--fullchain", cert.toString(),
                "--key", key.toString());
        assertThat(r.exitCode()).isEqualTo(8);
        assertThat(r.err()).startsWith("hapcert: no target named 'nope' (targets: ").contains("edge").contains("core");
        assertThat(r.out()).isEmpty();
        // Refused before any target was contacted or written to.
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("fullchain.pem", "privkey.pem", "hapcert.yml");
        }
        assertThat(r.out() + r.err()).doesNotContain("PRIVATE KEY");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--version", "-V", "deploy --version"})
    void versionPrintsTheNameAndJavaAndExitsZero(String commandLine) {
        Run r = run(commandLine.split(" "));
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("hapcert ").contains("Java " + System.getProperty("java.version"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        Run r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: hapcert").contains("deploy").contains("Exit codes: 0 done or unchanged, 2 usage");
        assertThat(r.err()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy --help", "help deploy"})
    void deployHelpListsItsOptions(String commandLine) {
        Run r = run(commandLine.split(" "));
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("Usage: hapcert deploy")
                .contains("--dry-run", "--force", "--json", "--verify-tls", "--lineage", "--haproxy-config", "RENEWED_LINEAGE");
        assertThat(r.err()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy", "sync", "status", "doctor", "issuers", "install", "uninstall"})
    void aSubcommandBuiltAloneHelpsAndFailsExactlyAsAmongAllTheOthers(String subcommand) {
        // "help X" builds every subcommand; "X --help" and "X --bogus" only X.
        Run alone = run(subcommand, "--help");
        Run amongAll = run("help", subcommand);
        assertThat(alone.exitCode()).isZero();
        assertThat(alone.out()).startsWith("Usage: hapcert " + subcommand).isEqualTo(amongAll.out());
        Run wrong = run(subcommand, "--bogus");
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).startsWith("hapcert: ")
                .endsWith("Try 'hapcert " + subcommand + " --help' for usage." + System.lineSeparator());
    }

    @Test
    void noSubcommandIsAUsageError() {
        Run r = run();
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("Usage: hapcert").contains("deploy", "sync", "status");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void jsonGetsAnAnswerEvenWhenTheRunStopsEarly() {
        Run r = run("deploy", "--json", "--haproxy-config", "/nonexistent/haproxy.cfg", "--lineage", "/nonexistent/live/x");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).contains("\"exitCode\" : 3").contains("\"status\" : \"invalid_input\"").contains("\"error\" : ");
    }
}
