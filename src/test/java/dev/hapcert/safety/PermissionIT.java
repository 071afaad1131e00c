package dev.hapcert.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hapcert.error.ExitCode;
import dev.hapcert.testkit.OtherUsers;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases that need another user, because root bypasses file and socket permissions: the packaged hapcert runs
 * as {@code nobody} (setpriv) against a real HAProxy whose admin socket is root's (mode 600), and against a key file
 * only root may read. Same checks as the case table: exit code, message, good certificate still served, files
 * byte-identical, no key material in the output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PermissionIT {
    record Case(String name, String situation, ExitCode exit, String fragment, boolean keyReadable) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("socket-permission-denied", "hapcert runs as a user who may not open the admin socket",
                        ExitCode.HAPROXY_UNREACHABLE, "permission denied on the Runtime API socket", true),
                new Case("key-unreadable", "privkey.pem readable by root only, hapcert runs as another user",
                        ExitCode.INVALID_INPUT, "cannot be read: permission denied", false));
    }

    static List<DocRow> docRows() {
        return cases().stream().map(c -> new DocRow(c.name(), c.name().startsWith("socket") ? "Runtime API"
                : "hook environment", c.situation(), "refused, exit " + c.exit().code() + " (" + c.exit().name()
                + "): `" + c.fragment() + "`")).toList();
    }

    private Sandbox s;
    private Path shared;

    @BeforeAll
    void start() throws Exception {
        assumeFalse(Boolean.getBoolean("hapcert.it.skip"), "integration tests skipped (hapcert.it.skip)");
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root and setpriv to run hapcert as another user");
        assumeTrue(OtherUsers.canRead(Launcher.home().resolve("bin/hapcert"))
                        && OtherUsers.canRead(Launcher.home().resolve("target/hapcert.jar")),
                "hapcert runs as nobody here, who cannot read this checkout (a private directory)");
        s = new Sandbox();
        // nobody may pass through HAProxy's directory to the socket (mode 600, root's) and its certificates.
        Files.setPosixFilePermissions(s.haproxy.dir(), PosixFilePermissions.fromString("rwx--x--x"));
        shared = Files.createTempDirectory("hapcert-nobody");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterAll
    void stop() {
        if (s != null) {
            s.close();
        }
        Sandbox.deleteTree(shared);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void asAnotherUser(Case c) throws Exception {
        Path dir = Files.createDirectories(shared.resolve(c.name()));
        Path config = dir.resolve("hapcert.yml");
        Files.writeString(config, "targets:\n  - name: sandbox\n    runtime-api: " + s.haproxy.adminSocket()
                + "\n    crt-list: " + s.haproxy.crtList() + "\n    cert-dir: " + s.haproxy.certsDir()
                + "\n    lock-file: " + dir.resolve("hapcert.lock") + "\n");
        TestCertificates.Issued fresh = s.issue("newsite.safety.test");
        Path lineage = Files.createDirectories(dir.resolve("newsite"));
        Files.writeString(lineage.resolve("fullchain.pem"), fresh.fullchainPem());
        Path key = lineage.resolve("privkey.pem");
        Sandbox.write(key, fresh.keyPkcs8Pem().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        if (c.keyReadable()) {
            // A throwaway test key, readable by the unprivileged run on purpose.
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        }
        for (Path p : List.of(dir, lineage)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(lineage.resolve("fullchain.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        var before = s.snapshot();

        Sandbox.Run r = Launcher.start(List.of("deploy", "--config", config.toString(), "--lineage", lineage.toString()),
                Map.of("HAPCERT_CDS", "0", "HOME", dir.toString()), "022", "nobody").await();
        s.assertNoKeyMaterial("output", r.out() + r.err());
        assertThat(r.exit()).as(r.describe()).isEqualTo(c.exit().code());
        assertThat(r.out() + r.err()).contains(c.fragment());
        assertThat(s.snapshot()).isEqualTo(before);
        s.assertServing(Sandbox.GOOD_SNI, s.good);
        s.assertNoTransaction();
    }
}
