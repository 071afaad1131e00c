package dev.hapcert.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hapcert.cli.Cli;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One real HAProxy with a certificate already deployed by hapcert ({@link #GOOD_NAME}, served for
 * {@link #GOOD_SNI}), a scratch directory for inputs, and the checks every safety case makes: the good certificate
 * still served (by TLS handshake), the files byte-identical, no transaction left open, no key material in output.
 *
 * <p>Every key minted here is remembered, so {@link #assertNoKeyMaterial} checks output against all of them.
 */
final class Sandbox implements AutoCloseable {
    static final String GOOD_NAME = "site";
    static final String GOOD_SNI = "site.safety.test";
    private static final SecureRandom RANDOM = new SecureRandom();

    final HaproxyProcess haproxy;
    final Path inputs;
    final TestCertificates.Authority intermediate;
    final TestCertificates.Issued good;
    private final List<String> keyRuns = new ArrayList<>();

    Sandbox() {
        this(false);
    }

    /** @param masterWorker run HAProxy with {@code -W -S master.sock}, so that it can be reloaded */
    Sandbox(boolean masterWorker) {
        HaproxyProcess.Builder b = HaproxyProcess.builder().crtBase().lowLevelSockets();
        haproxy = (masterWorker ? b.masterWorker() : b).start();
        try {
            inputs = Files.createTempDirectory("hapcert-safety");
            intermediate = haproxy.ca().intermediate("hapcert safety intermediate");
            writeConfig("runtime-api: " + haproxy.adminSocket());
            good = issue(GOOD_SNI);
            Run first = deploy(lineage(GOOD_NAME, good));
            assertThat(first.exit()).as(first.describe()).isZero();
            assertServing(GOOD_SNI, good);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    // ---- inputs -------------------------------------------------------------------------------------------------

    /** A leaf from the sandbox's intermediate CA, valid now, P-256, its key remembered for leak checks. */
    TestCertificates.Issued issue(String... dnsNames) {
        return remember(intermediate.leaf(dnsNames).serial(serial()).issue());
    }

    TestCertificates.Issued remember(TestCertificates.Issued issued) {
        keyRuns.add(base64Body(issued.keyPkcs8Pem()));
        if (!issued.keys().getPrivate().getAlgorithm().startsWith("Ed")) {
            keyRuns.add(base64Body(issued.keyTraditionalPem()));
        }
        return issued;
    }

    static BigInteger serial() {
        return new BigInteger(63, RANDOM).add(BigInteger.ONE);
    }

    /** A certbot-like live directory {@code inputs/<dir>} with fullchain.pem and privkey.pem. */
    Path lineage(String dir, TestCertificates.Issued issued) {
        return lineage(dir, issued.fullchainPem(), issued.keyPkcs8Pem());
    }

    Path lineage(String dir, String fullchain, String privkey) {
        Path d = inputs.resolve(dir);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (fullchain != null) {
            write(d.resolve("fullchain.pem"), fullchain.getBytes(StandardCharsets.US_ASCII));
        }
        if (privkey != null) {
            write(d.resolve("privkey.pem"), privkey.getBytes(StandardCharsets.US_ASCII));
        }
        return d;
    }

    Path file(String name, byte[] content) {
        Path p = inputs.resolve(name);
        write(p, content);
        return p;
    }

    static void write(Path p, byte[] content) {
        try {
            Files.deleteIfExists(p);
            Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path config() {
        return inputs.resolve("hapcert.yml");
    }

    /** Writes hapcert.yml for this HAProxy; {@code targetLines} are extra target keys such as the runtime-api. */
    void writeConfig(String... targetLines) {
        StringBuilder y = new StringBuilder("targets:\n  - name: sandbox\n");
        for (String l : targetLines) {
            y.append("    ").append(l).append('\n');
        }
        y.append("    crt-list: ").append(haproxy.crtList()).append('\n');
        y.append("    cert-dir: ").append(haproxy.certsDir()).append('\n');
        y.append("    lock-file: ").append(haproxy.dir().resolve("hapcert.lock")).append('\n');
        try {
            Files.writeString(config(), y.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- running hapcert ----------------------------------------------------------------------------------------

    record Run(int exit, String out, String err) {
        String describe() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** {@code hapcert deploy --config <sandbox config> --lineage <dir>} in-process. */
    Run deploy(Path lineage, String... more) {
        List<String> args = new ArrayList<>(List.of("deploy", "--config", config().toString(), "--lineage",
                lineage.toString()));
        args.addAll(Arrays.asList(more));
        return run(Map.of(), args);
    }

    Run run(Map<String, String> env, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new Cli(new PrintWriter(out, true), new PrintWriter(err, true), env).run(args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    // ---- checks -------------------------------------------------------------------------------------------------

    void assertServing(String sni, TestCertificates.Issued expected) {
        assertThat(haproxy.servedCertificate(sni).getSerialNumber()).as("serial served for SNI " + sni)
                .isEqualTo(expected.leaf().getSerialNumber());
    }

    /** No certificate transaction is open in HAProxy (one left open would block or poison later deploys). */
    void assertNoTransaction() {
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            assertThat(c.showSslCerts().transactions()).as("open certificate transactions").isEmpty();
        } catch (dev.hapcert.error.HapcertException e) {
            throw new AssertionError("cannot ask HAProxy for its transactions: " + e.getMessage(), e);
        }
    }

    /** What HAProxy has loaded: certificate names and crt-list lines, as the Runtime API lists them. */
    List<String> runtimeSnapshot() {
        try (RuntimeApiClient c = RuntimeApiClient.open(RuntimeApiAddress.unix(haproxy.adminSocket()))) {
            List<String> s = new ArrayList<>(c.showSslCerts().certificates().stream().sorted().toList());
            c.showCrtList(haproxy.crtList().toString()).forEach(e -> s.add("crt-list: " + e));
            return s;
        } catch (dev.hapcert.error.HapcertException e) {
            throw new AssertionError("cannot ask HAProxy what it has loaded: " + e.getMessage(), e);
        }
    }

    /** {@code haproxy -c} on the configuration and the files on disk: a restart would come up. */
    void assertRestartable() {
        dev.hapcert.testkit.CommandRun check = dev.hapcert.testkit.CommandRun.run(List.of(HaproxyProcess.HAPROXY.toString(),
                "-c", "-f", haproxy.config().toString()), Map.of(), haproxy.dir(), java.time.Duration.ofSeconds(60));
        assertThat(check.exitCode()).as("haproxy -c on what is on disk: " + check.describe()).isZero();
    }

    /**
     * Secrets at rest: every file in the certificate directory and the crt-list has at most {@code mode}, group bits
     * only with {@code group}, and a temp file left by a crash has the owner-only part only.
     */
    void assertModesWithin(String mode, String group) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(haproxy.certsDir())) {
            walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.add(haproxy.crtList());
        for (Path f : files) {
            try {
                java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(f,
                        java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = a.permissions();
                boolean temp = f.getFileName().toString().startsWith(".hapcert-") && f.getFileName().toString().endsWith(".tmp");
                String allowed = temp ? mode.substring(0, 3) + "------" : mode;
                assertThat(PosixFilePermissions.fromString(allowed)).as(f + " has mode "
                        + PosixFilePermissions.toString(perms) + ", wider than " + allowed).containsAll(perms);
                boolean groupBits = perms.stream().anyMatch(p -> p.name().startsWith("GROUP"));
                if (groupBits && !f.getFileName().toString().equals("default.pem")) {
                    assertThat(a.group().getName()).as("group of " + f + " (group bits set)").isEqualTo(group);
                }
            } catch (java.nio.file.NoSuchFileException gone) {
                // Renamed or removed between listing and reading: nothing to check.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** How many lines of the crt-list file name {@code certificatePath} as their certificate. */
    long crtListLines(String certificatePath) {
        try {
            return Files.readAllLines(haproxy.crtList()).stream()
                    .filter(l -> l.equals(certificatePath) || l.startsWith(certificatePath + " ")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Certificate files and the crt-list: path to content (or link target), compared byte for byte. */
    Map<String, String> snapshot(Path... extra) {
        Map<String, String> s = new TreeMap<>();
        List<Path> roots = new ArrayList<>(List.of(haproxy.certsDir(), haproxy.crtList()));
        roots.addAll(Arrays.asList(extra));
        for (Path root : roots) {
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                s.put(root.toString(), "(absent)");
                continue;
            }
            try (Stream<Path> walk = Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) ? Files.walk(root) : Stream.of(root)) {
                for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
                    s.put(p.toString(), describe(p));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return s;
    }

    private static String describe(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) {
            return "link -> " + Files.readSymbolicLink(p);
        }
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return "dir " + mode;
        }
        // Content as a digest: the snapshot is printed on failure and bundles hold keys.
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
            return "file " + mode + " sha256 " + java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails when {@code text} holds a run of 20 characters of any remembered key's base64; never prints the text. */
    void assertNoKeyMaterial(String what, String text) {
        for (String body : keyRuns) {
            for (int i = 0; i + 20 <= body.length(); i++) {
                if (text.contains(body.substring(i, i + 20))) {
                    fail(what + " (" + text.length() + " chars) contains private key material (key offset " + i + ")");
                }
            }
        }
    }

    private static String base64Body(String pem) {
        StringBuilder b = new StringBuilder();
        for (String l : pem.split("\n")) {
            if (!l.startsWith("-----") && !l.contains(":") && !l.isBlank()) {
                b.append(l.strip());
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        try {
            haproxy.close();
        } finally {
            deleteTree(inputs);
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
