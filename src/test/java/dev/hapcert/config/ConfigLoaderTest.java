package dev.hapcert.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
    private static final Path FILE = Path.of("/etc/hapcert/hapcert.yml");

    private static final String MINIMAL = """
            targets:
              - name: edge
                runtime-api: /run/haproxy/admin.sock
                crt-list: /etc/haproxy/crt-list.txt
            """;

    @Test
    void fullExampleFromTheBrief(@TempDir Path dir) throws Exception {
        Path yml = dir.resolve("hapcert.yml");
        Files.writeString(yml, """
                defaults:
                  files: { mode: "0640", group: haproxy }
                targets:
                  - name: edge
                    runtime-api: /run/haproxy/admin.sock
                    crt-list: /usr/local/etc/haproxy/crt-list.txt
                    cert-dir: /usr/local/etc/haproxy/certs
                    ssl-options: "[alpn h2,http/1.1]"
                    haproxy-config: /srv/haproxy/haproxy.cfg
                    reload: { method: master-cli, master-socket: /run/haproxy-master.sock }
                    paths: [ { haproxy: /usr/local/etc/haproxy, host: /srv/haproxy } ]
                """);
        HapcertConfig config = ConfigLoader.load(yml);
        assertThat(config.source()).isEqualTo(yml);
        TargetConfig t = config.targets().get(0);
        assertThat(t.name()).isEqualTo("edge");
        assertThat(t.runtimeApi()).isEqualTo("/run/haproxy/admin.sock");
        assertThat(t.masterCli()).isFalse();
        assertThat(t.crtList()).isEqualTo("/usr/local/etc/haproxy/crt-list.txt");
        assertThat(t.certDir()).isEqualTo("/usr/local/etc/haproxy/certs");
        assertThat(t.sslOptions()).isEqualTo("[alpn h2,http/1.1]");
        assertThat(t.haproxyConfig()).contains(Path.of("/srv/haproxy/haproxy.cfg"));
        assertThat(t.files().mode()).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        assertThat(t.files().group()).contains("haproxy");
        ReloadConfig reload = t.reload().orElseThrow();
        assertThat(reload.method()).isEqualTo(ReloadConfig.Method.MASTER_CLI);
        assertThat(reload.masterSocket()).contains("/run/haproxy-master.sock");
        assertThat(reload.haproxyBinary()).isEqualTo(Path.of("/usr/sbin/haproxy"));
        assertThat(t.paths().toHost(t.crtList())).isEqualTo(Path.of("/srv/haproxy/crt-list.txt"));
        assertThat(t.onLeftoverTransaction()).isEqualTo(LeftoverTransactionPolicy.ABORT);
        assertThat(t.lockFile().getFileName().toString()).matches("edge-[0-9a-f]{8}\\.lock");
        assertThat(t.docker()).isEmpty();
    }

    @Test
    void minimalTargetGetsDocumentedDefaults() throws Exception {
        TargetConfig t = ConfigLoader.parse(MINIMAL, FILE).targets().get(0);
        assertThat(t.certDir()).isEqualTo("/etc/haproxy");
        assertThat(t.files()).isEqualTo(FileOwnership.DEFAULT);
        assertThat(t.files().octalMode()).isEqualTo("0600");
        assertThat(t.sslOptions()).isEmpty();
        assertThat(t.reload()).isEmpty();
        assertThat(t.haproxyConfig()).isEmpty();
        assertThat(t.paths().mounts()).isEmpty();
        assertThat(t.lockFile()).isEqualTo(TargetConfig.defaultLockFile("edge", "/run/haproxy/admin.sock"));
        assertThat(t.issuersChainPath()).isEmpty();
        assertThat(ConfigLoader.parse(MINIMAL + "    issuers-chain-path: /etc/haproxy/issuers\n", FILE).targets().get(0)
                .issuersChainPath()).contains("/etc/haproxy/issuers");
    }

    @Test
    void defaultsMergeKeyByKeyAndTargetsWin() throws Exception {
        HapcertConfig config = ConfigLoader.parse("""
                version: 1
                defaults:
                  files: { mode: 0640, group: haproxy }
                  on-leftover-transaction: fail
                  ssl-options: "[alpn h2]"
                targets:
                  - name: a
                    runtime-api: ipv4@127.0.0.1:9999
                    crt-list: /etc/haproxy/a.txt
                    files: { group: ssl-cert }
                  - name: b
                    runtime-api: unix@/run/b.sock
                    master-cli: true
                    crt-list: /etc/haproxy/b.txt
                    ssl-options: ""
                    on-leftover-transaction: abort
                    lock-file: /var/lock/b.lock
                    reload: { method: master-cli }
                """, FILE);
        TargetConfig a = config.targets().get(0);
        TargetConfig b = config.targets().get(1);
        assertThat(a.files().octalMode()).isEqualTo("0640"); // unquoted 0640 is still octal
        assertThat(a.files().group()).contains("ssl-cert");
        assertThat(a.onLeftoverTransaction()).isEqualTo(LeftoverTransactionPolicy.FAIL);
        assertThat(a.sslOptions()).isEqualTo("[alpn h2]");
        assertThat(b.sslOptions()).isEmpty();
        assertThat(b.onLeftoverTransaction()).isEqualTo(LeftoverTransactionPolicy.ABORT);
        assertThat(b.lockFile()).isEqualTo(Path.of("/var/lock/b.lock"));
        assertThat(b.masterCli()).isTrue();
        // With master-cli: true the Runtime API address is the master socket.
        assertThat(b.reload().orElseThrow().masterSocket()).contains("unix@/run/b.sock");
        assertThat(config.target("b")).contains(b);
    }

    @Test
    void otherReloadMethodsAndDocker() throws Exception {
        HapcertConfig config = ConfigLoader.parse("""
                targets:
                  - name: cmd
                    runtime-api: /run/a.sock
                    crt-list: /etc/haproxy/a.txt
                    reload: { method: command, command: "systemctl reload haproxy", haproxy-binary: /usr/local/sbin/haproxy }
                  - name: sig
                    runtime-api: /run/b.sock
                    crt-list: /etc/haproxy/b.txt
                    reload: { method: signal, pid-file: /run/haproxy.pid }
                  - name: box
                    crt-list: /usr/local/etc/haproxy/crt-list.txt
                    docker: { container: haproxy-1, engine-host: "unix:///run/podman.sock", socket-in-container: /var/run/haproxy.sock }
                    paths: [ { haproxy: /usr/local/etc/haproxy, host: /srv/box } ]
                """, FILE);
        assertThat(config.targets().get(0).reload().orElseThrow().command()).contains("systemctl reload haproxy");
        assertThat(config.targets().get(0).reload().orElseThrow().haproxyBinary())
                .isEqualTo(Path.of("/usr/local/sbin/haproxy"));
        assertThat(config.targets().get(1).reload().orElseThrow().pidFile()).contains(Path.of("/run/haproxy.pid"));
        TargetConfig box = config.targets().get(2);
        assertThat(box.docker()).contains(new DockerTarget("haproxy-1", Optional.of("unix:///run/podman.sock"),
                "/var/run/haproxy.sock"));
        assertThat(box.runtimeApi()).isEqualTo("/var/run/haproxy.sock");
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("payload limit not a number", MINIMAL + "    payload-limit: big\n",
                        "'payload-limit' in targets[0] of /etc/hapcert/hapcert.yml must be a whole number of bytes, got 'big'"),
                Arguments.of("payload limit below HAProxy's minimum", MINIMAL + "    payload-limit: 100\n",
                        "must be HAProxy's tune.bufsize in bytes, between 4096 and 16777216, got 100"),
                Arguments.of("relative issuers-chain-path", MINIMAL + "    issuers-chain-path: issuers\n",
                        "'issuers-chain-path' in targets[0] of /etc/hapcert/hapcert.yml must be an absolute path as HAProxy sees it"),
                Arguments.of("typo with suggestion", MINIMAL.replace("crt-list:", "crtlist:"),
                        "unknown key 'crtlist' in targets[0] of /etc/hapcert/hapcert.yml; did you mean 'crt-list'?"),
                Arguments.of("typo by one letter", MINIMAL + "    runtme-api: /x\n",
                        "unknown key 'runtme-api' in targets[0]"),
                Arguments.of("unknown top-level key", "target: []\n",
                        "unknown key 'target' in the top level of /etc/hapcert/hapcert.yml; did you mean 'targets'?"),
                Arguments.of("missing runtime-api", MINIMAL.replace("    runtime-api: /run/haproxy/admin.sock\n", ""),
                        "missing key 'runtime-api' in targets[0] of /etc/hapcert/hapcert.yml"),
                Arguments.of("missing crt-list", MINIMAL.replace("    crt-list: /etc/haproxy/crt-list.txt\n", ""),
                        "missing key 'crt-list' in targets[0]"),
                Arguments.of("missing name", MINIMAL.replace("  - name: edge\n    ", "  - "),
                        "missing key 'name' in targets[0]"),
                Arguments.of("empty file", "", "/etc/hapcert/hapcert.yml is empty; it needs a 'targets:' list"),
                Arguments.of("no targets key", "defaults: {}\n", "missing key 'targets' in the top level"),
                Arguments.of("empty targets", "targets: []\n", "'targets' in /etc/hapcert/hapcert.yml is empty"),
                Arguments.of("targets not a list", "targets: edge\n", "'targets' in the top level of"
                        + " /etc/hapcert/hapcert.yml must be a list, got 'edge'"),
                Arguments.of("target not a mapping", "targets: [ edge ]\n", "targets[0] of /etc/hapcert/hapcert.yml"
                        + " must be a mapping of keys to values, got 'edge'"),
                Arguments.of("relative crt-list", MINIMAL.replace("/etc/haproxy/crt-list.txt", "crt-list.txt"),
                        "'crt-list' in targets[0] of /etc/hapcert/hapcert.yml must be an absolute path as HAProxy"
                                + " sees it, got 'crt-list.txt'"),
                Arguments.of("relative lock file", MINIMAL + "    lock-file: hapcert.lock\n",
                        "'lock-file' in targets[0] of /etc/hapcert/hapcert.yml must be an absolute path, got"
                                + " 'hapcert.lock'"),
                Arguments.of("tilde path", MINIMAL + "    haproxy-config: ~/haproxy.cfg\n",
                        "(hapcert does not expand ~)"),
                Arguments.of("boolean as yes", MINIMAL + "    master-cli: yes\n",
                        "'master-cli' in targets[0] of /etc/hapcert/hapcert.yml must be true or false, got 'yes'"),
                Arguments.of("list where a value belongs", MINIMAL + "    cert-dir: [ /a ]\n",
                        "'cert-dir' in targets[0] of /etc/hapcert/hapcert.yml must be a single value, got a list"),
                Arguments.of("empty value", MINIMAL + "    cert-dir:\n", "'cert-dir' in targets[0] of"
                        + " /etc/hapcert/hapcert.yml has no value"),
                Arguments.of("world-readable mode", MINIMAL + "    files: { mode: \"0644\" }\n",
                        "'mode' in targets[0].files of /etc/hapcert/hapcert.yml mode 0644 would make private keys"
                                + " world-readable"),
                Arguments.of("execute bit", MINIMAL + "    files: { mode: \"0700\" }\n", "has an execute bit"),
                Arguments.of("mode not octal", MINIMAL + "    files: { mode: \"0689\" }\n",
                        "'mode' in targets[0].files of /etc/hapcert/hapcert.yml must be an octal mode"),
                Arguments.of("bad mode from defaults", "defaults:\n  files: { mode: \"0666\" }\n" + MINIMAL,
                        "'mode' in defaults.files (applied to targets[0].files) of /etc/hapcert/hapcert.yml"
                                + " mode 0666 would make private keys world-readable"),
                Arguments.of("unknown key in defaults", "defaults:\n  crt_list: /x\n" + MINIMAL,
                        "unknown key 'crt_list' in defaults of /etc/hapcert/hapcert.yml; did you mean 'crt-list'?"),
                Arguments.of("name in defaults", "defaults:\n  name: x\n" + MINIMAL,
                        "'name' cannot be set in defaults"),
                Arguments.of("duplicate target names", MINIMAL + """
                          - name: edge
                            runtime-api: /run/other.sock
                            crt-list: /etc/haproxy/crt-list.txt
                        """, "duplicate target name 'edge' in targets[1] of /etc/hapcert/hapcert.yml (first used in"
                        + " targets[0])"),
                Arguments.of("same HAProxy twice", MINIMAL + """
                          - name: edge2
                            runtime-api: /run/haproxy/admin.sock
                            crt-list: /etc/haproxy/crt-list.txt
                        """, "targets[1] and targets[0] of /etc/hapcert/hapcert.yml both use runtime-api"),
                Arguments.of("duplicate key", MINIMAL + "    crt-list: /etc/haproxy/other.txt\n",
                        "cannot parse /etc/hapcert/hapcert.yml at line 5"),
                Arguments.of("broken yaml", "targets:\n  - name: [\n", "cannot parse /etc/hapcert/hapcert.yml"),
                Arguments.of("bad name", MINIMAL.replace("name: edge", "name: \"edge west\""),
                        "'name' in targets[0] of /etc/hapcert/hapcert.yml must be 1-63 letters"),
                Arguments.of("abstract socket", MINIMAL.replace("/run/haproxy/admin.sock", "abns@haproxy"),
                        "'runtime-api' in targets[0] of /etc/hapcert/hapcert.yml 'abns@haproxy' is an abstract socket"),
                Arguments.of("bad port", MINIMAL.replace("/run/haproxy/admin.sock", "ipv4@127.0.0.1:99999"),
                        "port 99999 is out of range 1-65535"),
                Arguments.of("relative unix socket", MINIMAL.replace("/run/haproxy/admin.sock", "unix@admin.sock"),
                        "the unix socket path must be absolute"),
                Arguments.of("reload method typo", MINIMAL + "    reload: { method: master_cli }\n",
                        "'method' in targets[0].reload of /etc/hapcert/hapcert.yml must be one of master-cli,"
                                + " command, signal, container, got 'master_cli'; did you mean 'master-cli'?"),
                Arguments.of("reload without its setting", MINIMAL + "    reload: { method: command }\n",
                        "'command' in targets[0].reload of /etc/hapcert/hapcert.yml is required for method command"),
                Arguments.of("reload with another method's setting",
                        MINIMAL + "    reload: { method: signal, pid-file: /run/h.pid, command: x }\n",
                        "'command' in targets[0].reload of /etc/hapcert/hapcert.yml only applies to method"
                                + " command, but the method is signal"),
                Arguments.of("unknown reload key", MINIMAL + "    reload: { method: signal, pidfile: /run/h.pid }\n",
                        "unknown key 'pidfile' in targets[0].reload of /etc/hapcert/hapcert.yml; did you mean"
                                + " 'pid-file'?"),
                Arguments.of("leftover policy typo", MINIMAL + "    on-leftover-transaction: abandon\n",
                        "must be one of abort, fail, got 'abandon'"),
                Arguments.of("ssl options without brackets", MINIMAL + "    ssl-options: alpn h2\n",
                        "'ssl-options' in targets[0] of /etc/hapcert/hapcert.yml must be one bracketed group"),
                Arguments.of("crt-list outside mapped paths",
                        MINIMAL + "    paths: [ { haproxy: /usr/local/etc/haproxy, host: /srv/h } ]\n",
                        "'crt-list' in targets[0] of /etc/hapcert/hapcert.yml '/etc/haproxy/crt-list.txt' is not"
                                + " under any directory listed in 'paths'"),
                Arguments.of("relative mount", MINIMAL + "    paths: [ { haproxy: /etc/haproxy, host: srv } ]\n",
                        "'host' in targets[0].paths[0] of /etc/hapcert/hapcert.yml must be an absolute path on"
                                + " this host, got 'srv'"),
                Arguments.of("docker without container", MINIMAL + "    docker: { socket-in-container: /s }\n",
                        "missing key 'container' in targets[0].docker"),
                Arguments.of("unsupported version", "version: 2\n" + MINIMAL,
                        "'version' in the top level of /etc/hapcert/hapcert.yml is 2, but this hapcert understands"
                                + " version 1 only"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void badConfigsAreRefusedWithAPreciseMessage(String what, String yaml, String message) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, FILE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yml");
        assertThatThrownBy(() -> ConfigLoader.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessage("configuration file " + missing + " does not exist");
    }

    @Test
    void configurationNeedsUniqueNamesEvenWhenBuiltInCode() {
        TargetConfig t = new TargetConfig("a", "/s", false, "/l", "/d", PathMapping.IDENTITY, FileOwnership.DEFAULT,
                Optional.empty(), Optional.empty(), "", LeftoverTransactionPolicy.ABORT, Path.of("/l.lock"),
                Optional.empty(), TargetConfig.DEFAULT_PAYLOAD_LIMIT, Optional.empty());
        assertThatThrownBy(() -> new HapcertConfig(List.of(t, t), null))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("two targets named 'a'");
    }
}
