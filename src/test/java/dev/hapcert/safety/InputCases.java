package dev.hapcert.safety;

import static dev.hapcert.error.ExitCode.INVALID_INPUT;
import static dev.hapcert.error.ExitCode.OK;

import dev.hapcert.error.ExitCode;
import dev.hapcert.safety.SafetyCase.Invocation;
import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The certificate, key, hook environment and name cases of the reliability table: what an ACME client, an
 * operator or an attacker controlling a lineage directory can hand to {@code hapcert deploy}.
 */
final class InputCases {
    private InputCases() {
    }

    static List<SafetyCase> all() {
        List<SafetyCase> c = new ArrayList<>();
        certificates(c);
        accepted(c);
        environment(c);
        names(c);
        return c;
    }

    // ---- certificate and key --------------------------------------------------------------------------------------

    private static void certificates(List<SafetyCase> c) {
        String g = "certificate and key";
        c.add(refused("key-does-not-match", g, "privkey.pem belongs to another certificate",
                "the private key does not belong to", s -> {
                    TestCertificates.Issued a = s.issue("newsite.safety.test");
                    TestCertificates.Issued b = s.issue("other.safety.test");
                    return lineage(s, "key-does-not-match", a.fullchainPem(), b.keyPkcs8Pem());
                }));
        c.add(refused("expired-leaf", g, "the leaf expired yesterday", "expired on", s -> {
            Instant now = Instant.now();
            TestCertificates.Issued i = s.remember(s.intermediate.leaf("newsite.safety.test")
                    .validity(now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(1))).serial(Sandbox.serial()).issue());
            return lineage(s, "expired-leaf", i);
        }));
        c.add(refused("not-yet-valid", g, "the leaf is valid from tomorrow", "is not valid until", s -> {
            Instant now = Instant.now();
            TestCertificates.Issued i = s.remember(s.intermediate.leaf("newsite.safety.test")
                    .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(90))).serial(Sandbox.serial()).issue());
            return lineage(s, "not-yet-valid", i);
        }));
        c.add(refused("chain-out-of-order", g, "two intermediates in the wrong order", "chain out of order", s -> {
            TestCertificates.Authority second = s.intermediate.intermediate("hapcert safety second intermediate");
            TestCertificates.Issued i = s.remember(second.leaf("newsite.safety.test").serial(Sandbox.serial()).issue());
            String swapped = i.certPem() + TestCertificates.pem(i.chain().get(1)) + TestCertificates.pem(i.chain().get(0));
            return lineage(s, "chain-out-of-order", swapped, i.keyPkcs8Pem());
        }));
        c.add(refused("leaf-not-first", g, "the intermediate before the leaf", "chain out of order", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            return lineage(s, "leaf-not-first", i.chainPem() + i.certPem(), i.keyPkcs8Pem());
        }));
        c.add(refused("unrelated-certificate-in-chain", g, "a certificate of another CA after the leaf",
                "is unrelated to the chain", s -> {
                    TestCertificates.Issued i = s.issue("newsite.safety.test");
                    TestCertificates.Authority stranger = TestCertificates.newRootCa("stranger CA")
                            .intermediate("stranger intermediate");
                    return lineage(s, "unrelated-certificate-in-chain",
                            i.certPem() + TestCertificates.pem(stranger.certificate()), i.keyPkcs8Pem());
                }));
        c.add(refused("two-private-keys", g, "privkey.pem holds two different keys", "found two different private keys", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            TestCertificates.Issued other = s.issue("other.safety.test");
            return lineage(s, "two-private-keys", i.fullchainPem(), i.keyPkcs8Pem() + other.keyPkcs8Pem());
        }));
        c.add(refused("certificate-without-key", g, "--fullchain without a key anywhere", "contains certificates but no private key",
                s -> {
                    TestCertificates.Issued i = s.issue("newsite.safety.test");
                    Path f = s.file("certificate-without-key.pem", bytes(i.fullchainPem()));
                    return deploy(s, "--fullchain", f.toString());
                }));
        c.add(refused("key-without-certificate", g, "--cert pointing at a key file", "contains a private key but no certificate",
                s -> {
                    TestCertificates.Issued i = s.issue("newsite.safety.test");
                    Path f = s.file("key-without-certificate.pem", bytes(i.keyPkcs8Pem()));
                    return deploy(s, "--cert", f.toString());
                }));
        c.add(refused("lineage-without-privkey", g, "a live directory with fullchain.pem only", "has no privkey.pem", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            return lineage(s, "lineage-without-privkey", i.fullchainPem(), null);
        }));
        c.add(refused("encrypted-key-pkcs8", g, "an ENCRYPTED PRIVATE KEY", "encrypted", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            String enc = openssl(i.keyPkcs8Pem(), "pkcs8", "-topk8", "-passout", "pass:secret", "-v2", "aes-256-cbc");
            return lineage(s, "encrypted-key-pkcs8", i.fullchainPem(), enc);
        }));
        c.add(refused("encrypted-key-traditional", g, "an EC PRIVATE KEY with Proc-Type: 4,ENCRYPTED", "encrypted", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            String enc = openssl(i.keyPkcs8Pem(), "pkey", "-aes256", "-passout", "pass:secret", "-traditional");
            return lineage(s, "encrypted-key-traditional", i.fullchainPem(), enc);
        }));
        c.add(refused("dsa-key", g, "a DSA certificate and key", "DSA key", s -> {
            TestCertificates.Issued i = s.remember(s.intermediate.leaf("newsite.safety.test")
                    .keyType(TestCertificates.KeyType.DSA_2048).serial(Sandbox.serial()).issue());
            return lineage(s, "dsa-key", i.fullchainPem(), i.keyPkcs8Pem());
        }));
        c.add(refused("openssh-key", g, "an OpenSSH private key", "OpenSSH key", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            String ssh = TestCertificates.pemBlock("OPENSSH PRIVATE KEY", "openssh-key-v1\0junk".getBytes(StandardCharsets.US_ASCII));
            return lineage(s, "openssh-key", i.fullchainPem(), ssh);
        }));
        c.add(refused("der-instead-of-pem", g, "fullchain.pem holds binary DER", "looks like binary DER", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            Path d = s.lineage("der-instead-of-pem/newsite", null, i.keyPkcs8Pem());
            Sandbox.write(d.resolve("fullchain.pem"), i.leaf().getEncoded());
            return deploy(s, "--lineage", d.toString());
        }));
        c.add(refused("empty-certificate-file", g, "fullchain.pem is empty", "is empty", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            return lineage(s, "empty-certificate-file", "", i.keyPkcs8Pem());
        }));
        c.add(refused("empty-key-file", g, "privkey.pem is empty", "is empty", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            return lineage(s, "empty-key-file", i.fullchainPem(), "");
        }));
        c.add(refused("truncated-pem", g, "fullchain.pem cut off in the middle of a block", "starting at line", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            String full = i.fullchainPem();
            return lineage(s, "truncated-pem", full.substring(0, full.length() / 2), i.keyPkcs8Pem());
        }));
        c.add(refused("corrupt-base64", g, "a character that is not base64 inside the certificate", "is not valid base64", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            String full = i.fullchainPem();
            int at = full.indexOf('\n', 40) + 10;
            return lineage(s, "corrupt-base64", full.substring(0, at) + "%" + full.substring(at + 1), i.keyPkcs8Pem());
        }));
        c.add(refused("not-a-certificate", g, "a CERTIFICATE block of random bytes", "is not a valid X.509 certificate", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            return lineage(s, "not-a-certificate", TestCertificates.pemBlock("CERTIFICATE", new byte[300]), i.keyPkcs8Pem());
        }));
        c.add(refused("damaged-key", g, "a PRIVATE KEY block of random bytes", "damaged", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            return lineage(s, "damaged-key", i.fullchainPem(), TestCertificates.pemBlock("PRIVATE KEY", new byte[120]));
        }));
        c.add(refused("no-pem-at-all", g, "fullchain.pem is plain text", "contains no PEM block", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            return lineage(s, "no-pem-at-all", "this is not a certificate\n", i.keyPkcs8Pem());
        }));
        c.add(refused("signing-request", g, "a CERTIFICATE REQUEST instead of a certificate", "signing request", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            String csr = TestCertificates.pemBlock("CERTIFICATE REQUEST", new byte[64]);
            return lineage(s, "signing-request", i.fullchainPem() + csr, i.keyPkcs8Pem());
        }));
        c.add(refused("dh-parameters", g, "DH PARAMETERS appended to the bundle", "Diffie-Hellman", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            String dh = TestCertificates.pemBlock("DH PARAMETERS", new byte[64]);
            return lineage(s, "dh-parameters", i.fullchainPem() + dh, i.keyPkcs8Pem());
        }));
        c.add(refused("huge-file", g, "a 2 MiB fullchain.pem", "too large", s -> {
            TestCertificates.Issued i = s.issue("newsite.safety.test");
            return lineage(s, "huge-file", "#".repeat(2 << 20), i.keyPkcs8Pem());
        }));
        c.add(refused("renewed-domains-not-covered", g, "RENEWED_DOMAINS names a domain the certificate lacks",
                "does not cover other.safety.test", s -> {
                    TestCertificates.Issued i = s.issue("newsite.safety.test");
                    Path d = s.lineage("renewed-domains-not-covered/newsite", i);
                    return hook(s, Map.of("RENEWED_LINEAGE", d.toString(),
                            "RENEWED_DOMAINS", "newsite.safety.test other.safety.test"));
                }));
    }

    // ---- accepted and normalised ----------------------------------------------------------------------------------

    private static void accepted(List<SafetyCase> c) {
        String g = "accepted and normalised";
        c.add(accepted("blank-lines-between-blocks", g, "empty lines between and after PEM blocks",
                "deployed; HAProxy's payload never sees an empty line", (s, i) ->
                        lineage(s, "blank-lines-between-blocks", i.fullchainPem().replace("-----\n", "-----\n\n\n") + "\n\n",
                                "\n" + i.keyPkcs8Pem() + "\n\n")));
        c.add(accepted("crlf-line-ends", g, "CRLF line ends everywhere", "deployed with LF line ends", (s, i) ->
                lineage(s, "crlf-line-ends", i.fullchainPem().replace("\n", "\r\n"), i.keyPkcs8Pem().replace("\n", "\r\n"))));
        c.add(accepted("no-final-newline", g, "files without their last newline", "deployed", (s, i) ->
                lineage(s, "no-final-newline", i.fullchainPem().stripTrailing(), i.keyPkcs8Pem().stripTrailing())));
        c.add(accepted("glued-pem-blocks", g, "-----END CERTIFICATE----------BEGIN CERTIFICATE----- on one line",
                "deployed with the blocks split", (s, i) -> lineage(s, "glued-pem-blocks",
                        i.fullchainPem().replace("-----\n-----BEGIN", "----------BEGIN"), i.keyPkcs8Pem())));
        c.add(accepted("traditional-key", g, "an EC PRIVATE KEY (SEC1) instead of PKCS#8", "deployed", (s, i) ->
                lineage(s, "traditional-key", i.fullchainPem(), i.keyTraditionalPem())));
    }

    // ---- hook environment -----------------------------------------------------------------------------------------

    private static void environment(List<SafetyCase> c) {
        String g = "hook environment";
        c.add(refused("renewed-lineage-unset", g, "no RENEWED_LINEAGE and no options", "no certificate given",
                s -> hook(s, Map.of())));
        c.add(refused("renewed-lineage-empty", g, "RENEWED_LINEAGE set to an empty string", "RENEWED_LINEAGE is set but empty",
                s -> hook(s, Map.of("RENEWED_LINEAGE", ""))));
        c.add(refused("renewed-lineage-missing", g, "RENEWED_LINEAGE names a directory that does not exist", "does not exist",
                s -> hook(s, Map.of("RENEWED_LINEAGE", s.inputs.resolve("renewed-lineage-missing/newsite").toString()))));
        c.add(refused("renewed-lineage-not-a-directory", g, "RENEWED_LINEAGE names a regular file", "is not a directory", s -> {
            Path f = s.file("newsite", bytes("not a directory\n"));
            return hook(s, Map.of("RENEWED_LINEAGE", f.toString()));
        }));
        c.add(refused("renewed-lineage-dangling-symlink", g, "the live directory is a symlink to nothing",
                "is a symbolic link to", s -> {
                    Path dir = Files.createDirectories(s.inputs.resolve("renewed-lineage-dangling-symlink"));
                    Path link = Files.createSymbolicLink(dir.resolve("newsite"), Path.of("../archive/newsite"));
                    return hook(s, Map.of("RENEWED_LINEAGE", link.toString()));
                }));
        c.add(refused("dangling-fullchain-symlink", g, "live/fullchain.pem points into a pruned archive",
                "which does not exist", s -> {
                    TestCertificates.Issued i = s.issue("newsite.safety.test");
                    Path d = s.lineage("dangling-fullchain-symlink/newsite", null, i.keyPkcs8Pem());
                    Files.createSymbolicLink(d.resolve("fullchain.pem"), Path.of("../../archive/newsite/fullchain3.pem"));
                    return deploy(s, "--lineage", d.toString());
                }));
        c.add(refused("dangling-privkey-symlink", g, "live/privkey.pem points into a pruned archive",
                "which does not exist", s -> {
                    TestCertificates.Issued i = s.issue("newsite.safety.test");
                    Path d = s.lineage("dangling-privkey-symlink/newsite", i.fullchainPem(), null);
                    Files.createSymbolicLink(d.resolve("privkey.pem"), Path.of("../../archive/newsite/privkey3.pem"));
                    return deploy(s, "--lineage", d.toString());
                }));
        c.add(refused("certificate-is-a-fifo", g, "fullchain.pem is a named pipe (would block a naive reader)",
                "is not a regular file", s -> {
                    TestCertificates.Issued i = s.issue("newsite.safety.test");
                    Path d = s.lineage("certificate-is-a-fifo/newsite", null, i.keyPkcs8Pem());
                    Process p = new ProcessBuilder("mkfifo", d.resolve("fullchain.pem").toString()).start();
                    if (p.waitFor() != 0) {
                        throw new IllegalStateException("mkfifo failed");
                    }
                    return deploy(s, "--lineage", d.toString());
                }));
    }

    // ---- hostile names --------------------------------------------------------------------------------------------

    private static void names(List<SafetyCase> c) {
        String g = "hostile names";
        String unsafe = "is not safe as a file and Runtime API name";
        c.add(refused("name-with-space", g, "a lineage directory named `new site`", unsafe,
                s -> hook(s, Map.of("RENEWED_LINEAGE", goodLineage(s, "name-with-space", "new site").toString()))));
        c.add(refused("name-with-newline", g, "a lineage directory whose name holds a newline and a command", unsafe,
                s -> hook(s, Map.of("RENEWED_LINEAGE",
                        goodLineage(s, "name-with-newline", "x\nabort ssl cert site").toString()))));
        c.add(refused("name-with-semicolon", g, "`--name 'x;del ssl cert site'`", unsafe,
                s -> deploy(s, "--lineage", goodLineage(s, "name-with-semicolon", "newsite").toString(),
                        "--name", "x;del ssl cert site")));
        c.add(refused("name-with-heredoc", g, "`--name 'x <<'` (would start a payload)", unsafe,
                s -> deploy(s, "--lineage", goodLineage(s, "name-with-heredoc", "newsite").toString(), "--name", "x <<")));
        c.add(refused("name-star", g, "`--name '*'`", unsafe,
                s -> deploy(s, "--lineage", goodLineage(s, "name-star", "newsite").toString(), "--name", "*")));
        c.add(refused("name-shell-metacharacters", g, "`--name '$(touch x)|`id`&>y'`", unsafe,
                s -> deploy(s, "--lineage", goodLineage(s, "name-shell-metacharacters", "newsite").toString(),
                        "--name", "$(touch x)|`id`&>y")));
        c.add(refused("name-path-escape", g, "`--name ../../etc/cron.d/x`", unsafe,
                s -> deploy(s, "--lineage", goodLineage(s, "name-path-escape", "newsite").toString(),
                        "--name", "../../etc/cron.d/x")));
        c.add(refused("name-dot-dot", g, "`--name ..`", unsafe,
                s -> deploy(s, "--lineage", goodLineage(s, "name-dot-dot", "newsite").toString(), "--name", "..")));
        c.add(refused("name-leading-dash", g, "`--name=-rf`", unsafe,
                s -> deploy(s, "--lineage", goodLineage(s, "name-leading-dash", "newsite").toString(), "--name=-rf")));
        c.add(refused("name-very-long", g, "a 250-character lineage directory name", unsafe,
                s -> hook(s, Map.of("RENEWED_LINEAGE", goodLineage(s, "name-very-long", "n".repeat(250)).toString()))));
        c.add(refused("dns-name-hostile", g, "no --name, and the certificate's first DNS name is `a;b <<c`", unsafe, s -> {
            TestCertificates.Issued i = s.issue("a;b <<c");
            Path cert = s.file("dns-name-hostile.pem", bytes(i.fullchainPem()));
            Path key = s.file("dns-name-hostile.key", bytes(i.keyPkcs8Pem()));
            return deploy(s, "--fullchain", cert.toString(), "--key", key.toString());
        }));
        c.add(refused("renewed-domains-hostile", g, "RENEWED_DOMAINS holds `site.safety.test;show`", "is not a valid DNS name",
                s -> hook(s, Map.of("RENEWED_LINEAGE", goodLineage(s, "renewed-domains-hostile", "newsite").toString(),
                        "RENEWED_DOMAINS", "newsite.safety.test;show"))));
        c.add(accepted("name-at-length-limit", g, "a 200-character name, the longest allowed",
                "deployed; its temp file name stays within 255 bytes", (s, i) ->
                        deploy(s, "--lineage", s.lineage("name-at-length-limit/x", i).toString(), "--name", "x".repeat(200))));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    static SafetyCase refused(String name, String group, String situation, String fragment, SafetyCase.Setup setup) {
        return refused(name, group, situation, INVALID_INPUT, fragment, setup);
    }

    static SafetyCase refused(String name, String group, String situation, ExitCode exit, String fragment,
                              SafetyCase.Setup setup) {
        return new SafetyCase(name, group, situation, exit, fragment, setup);
    }

    /** A case that must succeed: a fresh certificate for {@code <name>.safety.test}, deployed and served. */
    interface AcceptedSetup {
        Invocation prepare(Sandbox s, TestCertificates.Issued fresh) throws Exception;
    }

    static SafetyCase accepted(String name, String group, String situation, String outcome, AcceptedSetup setup) {
        return new SafetyCase(name, group, situation, OK, outcome, s -> {
            TestCertificates.Issued fresh = s.issue(name + ".safety.test");
            return setup.prepare(s, fresh).serves(name + ".safety.test", fresh);
        });
    }

    /** {@code deploy --config <sandbox> --lineage inputs/<case>/<case>} with the given files: the case names the certificate. */
    static Invocation lineage(Sandbox s, String caseName, String fullchain, String privkey) {
        return deploy(s, "--lineage", s.lineage(caseName + "/" + caseName, fullchain, privkey).toString());
    }

    static Invocation lineage(Sandbox s, String caseName, TestCertificates.Issued i) {
        return lineage(s, caseName, i.fullchainPem(), i.keyPkcs8Pem());
    }

    /** A valid lineage for newsite.safety.test in a directory with the given (possibly hostile) name. */
    static Path goodLineage(Sandbox s, String caseName, String dir) {
        TestCertificates.Issued i = s.issue("newsite.safety.test");
        return s.lineage(caseName + "/" + dir, i);
    }

    static Invocation deploy(Sandbox s, String... args) {
        List<String> all = new ArrayList<>(List.of("deploy", "--config", s.config().toString()));
        all.addAll(List.of(args));
        return Invocation.of(Map.of(), all.toArray(String[]::new));
    }

    /** {@code deploy --config <sandbox>} with a hook environment and nothing else. */
    static Invocation hook(Sandbox s, Map<String, String> env) {
        return Invocation.of(env, "deploy", "--config", s.config().toString());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Runs openssl with {@code stdin} and returns its stdout (test keys only ever go in, never to the output). */
    static String openssl(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (stdin != null) {
            p.getOutputStream().write(bytes(stdin));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("openssl " + args[0] + " failed");
        }
        return out;
    }

    static String base64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
