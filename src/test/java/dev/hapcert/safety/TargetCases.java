package dev.hapcert.safety;

import static dev.hapcert.error.ExitCode.CONFIG_ERROR;
import static dev.hapcert.error.ExitCode.HAPROXY_REFUSED;
import static dev.hapcert.error.ExitCode.HAPROXY_UNREACHABLE;
import static dev.hapcert.safety.InputCases.accepted;
import static dev.hapcert.safety.InputCases.bytes;
import static dev.hapcert.safety.InputCases.lineage;
import static dev.hapcert.safety.InputCases.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.safety.SafetyCase.Invocation;
import dev.hapcert.testkit.CommandRun;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cases about what hapcert deploys into: files planted or locked in the certificate directory, the crt-list
 * file, and every way the Runtime API can fail (a fault proxy in front of the real HAProxy for those HAProxy cannot
 * produce on demand).
 */
final class TargetCases {
    private static final String LOCKED = "Operations on certificates are currently locked!";

    private TargetCases() {
    }

    static List<SafetyCase> all() {
        List<SafetyCase> c = new ArrayList<>();
        files(c);
        runtimeApi(c);
        return c;
    }

    // ---- files --------------------------------------------------------------------------------------------------

    private static void files(List<SafetyCase> c) {
        String g = "files";
        c.add(refused("symlink-at-new-bundle-path", g, "certs/<new name>.pem is a symlink to a file elsewhere",
                CONFIG_ERROR, "is a symbolic link", s -> {
                    Path elsewhere = s.file("elsewhere.pem", bytes("precious\n"));
                    Path link = Files.createSymbolicLink(s.haproxy.certsDir().resolve("symlink-at-new-bundle-path.pem"), elsewhere);
                    return lineage(s, "symlink-at-new-bundle-path", s.issue("symlink-at-new-bundle-path.safety.test"))
                            .watching(elsewhere).cleanup(() -> Files.delete(link));
                }));
        c.add(refused("symlink-at-existing-bundle-path", g, "certs/site.pem, already served, replaced by a symlink",
                CONFIG_ERROR, "is a symbolic link", s -> {
                    Path bundle = s.haproxy.certsDir().resolve(Sandbox.GOOD_NAME + ".pem");
                    Path elsewhere = s.inputs.resolve("site-copy.pem");
                    Files.copy(bundle, elsewhere, StandardCopyOption.COPY_ATTRIBUTES);
                    Path saved = s.inputs.resolve("site-saved.pem");
                    Files.move(bundle, saved);
                    Files.createSymbolicLink(bundle, elsewhere);
                    return updateGood(s, "symlink-at-existing-bundle-path").watching(elsewhere).cleanup(() -> {
                        Files.delete(bundle);
                        Files.move(saved, bundle);
                    });
                }));
        c.add(refused("symlink-at-crt-list", g, "crt-list.txt replaced by a symlink to a copy elsewhere",
                CONFIG_ERROR, "is a symbolic link", s -> {
                    Path list = s.haproxy.crtList();
                    Path elsewhere = s.inputs.resolve("crt-list-copy.txt");
                    Files.copy(list, elsewhere);
                    Path saved = s.inputs.resolve("crt-list-saved.txt");
                    Files.move(list, saved);
                    Files.createSymbolicLink(list, elsewhere);
                    return lineage(s, "symlink-at-crt-list", s.issue("symlink-at-crt-list.safety.test"))
                            .watching(elsewhere).cleanup(() -> {
                                Files.delete(list);
                                Files.move(saved, list);
                            });
                }));
        c.add(refused("crt-list-read-only", g, "crt-list.txt immutable (chattr +i)", CONFIG_ERROR, "crt-list", s -> {
            chattr("+i", s.haproxy.crtList());
            return lineage(s, "crt-list-read-only", s.issue("crt-list-read-only.safety.test"))
                    .cleanup(() -> chattr("-i", s.haproxy.crtList()));
        }));
        c.add(refused("cert-dir-read-only", g, "the certificate directory immutable (chattr +i)", CONFIG_ERROR,
                "cannot write", s -> {
                    chattr("+i", s.haproxy.certsDir());
                    return lineage(s, "cert-dir-read-only", s.issue("cert-dir-read-only.safety.test"))
                            .cleanup(() -> chattr("-i", s.haproxy.certsDir()));
                }));
        c.add(refused("crt-list-missing", g, "crt-list.txt deleted while HAProxy runs with entries from it",
                CONFIG_ERROR, "does not exist", s -> {
                    Path saved = s.inputs.resolve("crt-list-saved.txt");
                    Files.move(s.haproxy.crtList(), saved);
                    return lineage(s, "crt-list-missing", s.issue("crt-list-missing.safety.test"))
                            .cleanup(() -> Files.move(saved, s.haproxy.crtList()));
                }));
        c.add(accepted("crt-list-comments-options-filters", g,
                "crt-list.txt with comments, blank lines, SSL options and SNI filters",
                "deployed; every existing line kept byte for byte, one line appended, `haproxy -c` passes", (s, i) -> {
                    Path list = s.haproxy.crtList();
                    String before = Files.readString(list);
                    String handWritten = "# hand-written: keep me\n\n" + before
                            + s.haproxy.defaultCert() + " [alpn h2,http/1.1 ciphersuites TLS_AES_128_GCM_SHA256] "
                            + "default.safety.test *.default.safety.test !secret.default.safety.test\n"
                            + "# (HAProxy 2.6 takes only a # in the first column as a comment)\n";
                    Files.writeString(list, handWritten);
                    return lineage(s, "crt-list-comments-options-filters", i).check(() -> {
                        String after = Files.readString(list);
                        assertThat(after).startsWith(handWritten);
                        assertThat(after.substring(handWritten.length()))
                                .isEqualTo(s.haproxy.certsDir().resolve("crt-list-comments-options-filters.pem") + "\n");
                        CommandRun check = CommandRun.run(List.of(HaproxyProcess.HAPROXY.toString(), "-c", "-f",
                                s.haproxy.config().toString()), Map.of(), s.haproxy.dir(), Duration.ofSeconds(30));
                        assertThat(check.exitCode()).as(check.describe()).isZero();
                    });
                }));
    }

    // ---- Runtime API --------------------------------------------------------------------------------------------

    private static void runtimeApi(List<SafetyCase> c) {
        String g = "Runtime API";
        c.add(refused("socket-missing", g, "runtime-api names a socket that does not exist", HAPROXY_UNREACHABLE,
                "no such socket", s -> viaSocket(s, s.inputs.resolve("missing.sock"), "socket-missing")));
        c.add(refused("socket-is-a-regular-file", g, "runtime-api names a regular file", HAPROXY_UNREACHABLE,
                "is a regular file, not a socket", s -> viaSocket(s, s.file("regular.sock", bytes("")), "socket-is-a-regular-file")));
        c.add(refused("socket-stale", g, "a socket file left behind with nobody listening", HAPROXY_UNREACHABLE,
                "no HAProxy listens on it", s -> {
                    Path stale = s.inputs.resolve("stale.sock");
                    Files.deleteIfExists(stale);
                    try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                        ch.bind(UnixDomainSocketAddress.of(stale));
                    }
                    return viaSocket(s, stale, "socket-stale");
                }));
        c.add(refused("socket-level-operator", g, "a stats socket with `level operator` only", HAPROXY_REFUSED,
                "is not at level admin", s -> viaSocket(s, s.haproxy.operatorSocket(), "socket-level-operator")));
        c.add(refused("socket-level-user", g, "a stats socket with `level user`", HAPROXY_REFUSED,
                "is not at level admin", s -> viaSocket(s, s.haproxy.userSocket(), "socket-level-user")));
        c.add(accepted("haproxy-locked-then-free", g, "HAProxy answers \"currently locked\" three times",
                "retried with backoff, then deployed", (s, i) -> {
                    AtomicInteger locked = new AtomicInteger();
                    FaultProxy proxy = proxy(s, r -> r.line().startsWith("set ssl cert") && locked.getAndIncrement() < 3
                            ? new FaultProxy.Answer(LOCKED) : FaultProxy.FORWARD);
                    return lineage(s, "haproxy-locked-then-free", i).cleanup(() -> closeProxy(s, proxy))
                            .check(() -> assertThat(locked.get()).as("locked answers given").isGreaterThan(3));
                }));
        c.add(refused("haproxy-locked-too-long", g, "HAProxy stays \"currently locked\"", HAPROXY_REFUSED,
                "kept certificate operations locked", s -> {
                    FaultProxy proxy = proxy(s, r -> r.line().startsWith("set ssl cert")
                            ? new FaultProxy.Answer(LOCKED) : FaultProxy.FORWARD);
                    return lineage(s, "haproxy-locked-too-long", s.issue("haproxy-locked-too-long.safety.test"))
                            .cleanup(() -> closeProxy(s, proxy));
                }));
        c.add(refused("commit-refused-new", g, "HAProxy refuses `commit ssl cert` for a new certificate", HAPROXY_REFUSED,
                "refused 'commit ssl cert", s -> {
                    FaultProxy proxy = proxy(s, TargetCases::refuseCommit);
                    return lineage(s, "commit-refused-new", s.issue("commit-refused-new.safety.test"))
                            .cleanup(() -> closeProxy(s, proxy));
                }));
        c.add(refused("commit-refused-update", g, "HAProxy refuses `commit ssl cert` for the served certificate "
                + "(the bundle file was already replaced and must be put back)", HAPROXY_REFUSED,
                "refused 'commit ssl cert", s -> {
                    FaultProxy proxy = proxy(s, TargetCases::refuseCommit);
                    return updateGood(s, "commit-refused-update").cleanup(() -> closeProxy(s, proxy));
                }));
        c.add(refused("connection-closed-mid-payload", g, "HAProxy closes the connection halfway through `set ssl cert`",
                HAPROXY_UNREACHABLE, "closed the connection", s -> {
                    FaultProxy proxy = proxy(s, r -> r.line().startsWith("set ssl cert") ? new FaultProxy.DropMidPayload()
                            : FaultProxy.FORWARD);
                    return updateGood(s, "connection-closed-mid-payload").cleanup(() -> closeProxy(s, proxy));
                }));
        c.add(accepted("leftover-transaction-other-certificate", g, "a transaction left open on site.pem holding "
                        + "another site's certificate (the HAProxy 2.6 wrong-transaction trap)",
                "the abandoned transaction is aborted after a grace period; site keeps its own certificate", (s, i) -> {
                    openTransaction(s, Sandbox.GOOD_NAME, s.issue("intruder.safety.test"));
                    return lineage(s, "leftover-transaction-other-certificate", i);
                }));
        c.add(refused("leftover-transaction-policy-fail", g, "the same with `on-leftover-transaction: fail`",
                HAPROXY_REFUSED, "that nobody commits", s -> {
                    s.writeConfig("runtime-api: " + s.haproxy.adminSocket(), "on-leftover-transaction: fail");
                    openTransaction(s, Sandbox.GOOD_NAME, s.issue("intruder.safety.test"));
                    return lineage(s, "leftover-transaction-policy-fail", s.issue("leftover-transaction-policy-fail.safety.test"))
                            .cleanup(() -> {
                                try (RuntimeApiClient client = admin(s)) {
                                    client.abortSslCert(certName(s, Sandbox.GOOD_NAME));
                                }
                                s.writeConfig("runtime-api: " + s.haproxy.adminSocket());
                            });
                }));
        c.add(accepted("leftover-transaction-same-certificate", g, "a transaction left open on the certificate "
                + "being deployed by an interrupted run", "the run's own leftover is aborted at once, then deployed",
                (s, i) -> {
                    String name = "leftover-transaction-same-certificate";
                    try (RuntimeApiClient client = admin(s)) {
                        client.newSslCert(certName(s, name));
                    }
                    openTransaction(s, name, s.issue("intruder.safety.test"));
                    return lineage(s, name, i);
                }));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** A newer certificate for the good site, to deploy as an update under its name. */
    private static Invocation updateGood(Sandbox s, String caseName) {
        TestCertificates.Issued newer = s.issue(Sandbox.GOOD_SNI);
        return InputCases.deploy(s, "--lineage", s.lineage(caseName + "/" + Sandbox.GOOD_NAME, newer).toString());
    }

    private static Invocation viaSocket(Sandbox s, Path socket, String caseName) {
        s.writeConfig("runtime-api: " + socket);
        return lineage(s, caseName, s.issue(caseName + ".safety.test"))
                .cleanup(() -> s.writeConfig("runtime-api: " + s.haproxy.adminSocket()));
    }

    private static FaultProxy proxy(Sandbox s, java.util.function.Function<FaultProxy.Request, FaultProxy.Action> policy)
            throws java.io.IOException {
        FaultProxy proxy = new FaultProxy(s.haproxy.dir().resolve("fault.sock"), s.haproxy.adminSocket(), policy);
        s.writeConfig("runtime-api: " + proxy.socket());
        return proxy;
    }

    private static void closeProxy(Sandbox s, FaultProxy proxy) throws java.io.IOException {
        proxy.close();
        s.writeConfig("runtime-api: " + s.haproxy.adminSocket());
    }

    /** Answers a commit like HAProxy does when the new certificate cannot be used; the transaction stays open. */
    private static FaultProxy.Action refuseCommit(FaultProxy.Request r) {
        if (r.line().startsWith("commit ssl cert ")) {
            String name = r.line().substring("commit ssl cert ".length());
            return new FaultProxy.Answer("Committing " + name + "\nunable to load the certificate chain\nFailed!");
        }
        return FaultProxy.FORWARD;
    }

    static String certName(Sandbox s, String name) {
        return s.haproxy.certsDir().resolve(name + ".pem").toString();
    }

    static RuntimeApiClient admin(Sandbox s) throws dev.hapcert.error.HapcertException {
        return RuntimeApiClient.open(RuntimeApiAddress.unix(s.haproxy.adminSocket()));
    }

    /** Leaves a transaction open on {@code name} holding {@code content}, as a crashed tool would. */
    private static void openTransaction(Sandbox s, String name, TestCertificates.Issued content) throws Exception {
        try (RuntimeApiClient client = admin(s)) {
            client.setSslCert(certName(s, name), content.fullchainPem() + content.keyPkcs8Pem());
        }
    }

    private static void chattr(String flag, Path path) throws Exception {
        Process p = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("chattr " + flag + " " + path + " failed: " + out);
        }
    }
}
