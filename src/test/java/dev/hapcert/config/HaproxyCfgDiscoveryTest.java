package dev.hapcert.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaproxyCfgDiscoveryTest {
    private static final String BASE = "/etc/haproxy";

    private static DiscoveredHaproxy discover(String fixture) throws ConfigException {
        return HaproxyCfgDiscovery.discover(HaproxyCfgFixtures.render(fixture, BASE), Path.of(BASE, "haproxy.cfg"));
    }

    @Test
    void debianDefaultWithCrtBase() throws Exception {
        DiscoveredHaproxy found = discover("debian.cfg");
        TargetConfig t = found.target();
        assertThat(t.name()).isEqualTo("haproxy");
        assertThat(t.runtimeApi()).isEqualTo("/run/haproxy/admin.sock");
        assertThat(t.masterCli()).isFalse();
        assertThat(t.crtList()).isEqualTo("/etc/haproxy/crt-list.txt");
        assertThat(t.certDir()).isEqualTo("/etc/haproxy/private"); // crt-base wins over the crt-list's directory
        assertThat(found.crtBase()).contains("/etc/haproxy/private");
        assertThat(t.haproxyConfig()).contains(Path.of("/etc/haproxy/haproxy.cfg"));
        assertThat(t.files()).isEqualTo(FileOwnership.DEFAULT);
        assertThat(t.reload()).isEmpty();
        assertThat(t.payloadLimit()).isEqualTo(TargetConfig.DEFAULT_PAYLOAD_LIMIT);
        assertThat(found.directCrtBinds()).isEmpty();
        assertThat(found.toConfig().source()).isNull();
        assertThat(found.toConfig().targets()).containsExactly(t);
    }

    @Test
    void aRaisedBufsizeBecomesThePayloadLimit() throws Exception {
        String cfg = "global\n    stats socket /run/haproxy/admin.sock level admin\n    tune.bufsize 65536\n"
                + "frontend https\n    bind :443 ssl crt /etc/haproxy/default.pem crt-list /etc/haproxy/list.txt\n";
        assertThat(HaproxyCfgDiscovery.discover(cfg, Path.of("/etc/haproxy/haproxy.cfg")).target().payloadLimit())
                .isEqualTo(65536);
        assertThatThrownBy(() -> HaproxyCfgDiscovery.discover(cfg.replace("65536", "lots"), Path.of("/etc/haproxy/haproxy.cfg")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tune.bufsize 'lots' on line 3");
    }

    @Test
    void issuersChainPathIsReadFromGlobalWhenAbsolute() throws Exception {
        String cfg = "global\n    stats socket /run/haproxy/admin.sock level admin\n    issuers-chain-path /etc/haproxy/issuers\n"
                + "frontend https\n    bind :443 ssl crt /etc/haproxy/default.pem crt-list /etc/haproxy/list.txt\n";
        Path file = Path.of("/etc/haproxy/haproxy.cfg");
        assertThat(HaproxyCfgDiscovery.discover(cfg, file).target().issuersChainPath()).contains("/etc/haproxy/issuers");
        DiscoveredHaproxy relative = HaproxyCfgDiscovery.discover(cfg.replace("/etc/haproxy/issuers", "issuers"), file);
        assertThat(relative.target().issuersChainPath()).isEmpty();
        assertThat(relative.notes()).anySatisfy(n -> assertThat(n).contains("issuers-chain-path 'issuers' on line 3")
                .contains("bundles keep their chains"));
        assertThat(HaproxyCfgDiscovery.discover(cfg.replace("    issuers-chain-path /etc/haproxy/issuers\n", ""), file)
                .target().issuersChainPath()).isEmpty();
    }

    @Test
    void twoBindsSharingOneCrtListAndFirstAdminSocket() throws Exception {
        TargetConfig t = discover("shared-crt-list.cfg").target();
        assertThat(t.runtimeApi()).isEqualTo("ipv4@127.0.0.1:9999");
        // "/lists//crt-list.txt" on the third bind is the same file; the first spelling is HAProxy's name.
        assertThat(t.crtList()).isEqualTo("/etc/haproxy/lists/crt-list.txt");
        assertThat(t.certDir()).isEqualTo("/etc/haproxy/lists"); // no crt-base: the crt-list's directory
    }

    @Test
    void twoCrtListsAskForAConfigFile() {
        assertThatThrownBy(() -> discover("two-crt-lists.cfg")).isInstanceOf(ConfigException.class)
                .hasMessage("/etc/haproxy/haproxy.cfg uses 2 crt-lists: /etc/haproxy/public.txt (line 11),"
                        + " /etc/haproxy/partners.txt (line 15). Zero-config handles exactly one; write a hapcert.yml"
                        + " that says which crt-list new certificates go to");
    }

    @Test
    void onlyCrtExplainsTheBindLineChange() {
        assertThatThrownBy(() -> discover("only-crt.cfg")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("uses `crt-list`, only `crt` (line 12)")
                .hasMessageContaining("cannot take new certificates")
                .hasMessageContaining("(/etc/haproxy/certs/site.pem, /etc/haproxy/certs/other.pem)")
                .hasMessageContaining("bind :443 ssl crt-list /etc/haproxy/certs/crt-list.txt");
    }

    @Test
    void quotesEscapesAndCommentsAreHonoured() throws Exception {
        DiscoveredHaproxy found = discover("quoted.cfg");
        assertThat(found.target().runtimeApi()).isEqualTo("/etc/haproxy/admin.sock");
        assertThat(found.target().crtList()).isEqualTo("/etc/haproxy/my lists/crt-list.txt");
        assertThat(found.target().certDir()).isEqualTo("/etc/haproxy/certs");
    }

    @Test
    void directCrtBindsAreReportedNextToACrtList() throws Exception {
        DiscoveredHaproxy found = HaproxyCfgDiscovery.discover("""
                global
                    stats socket /run/admin.sock level admin
                    crt-base /etc/ssl/private
                frontend https
                    bind :443 ssl crt default.pem crt-list /etc/haproxy/crt-list.txt
                listen legacy
                    bind :8443 ssl crt /etc/ssl/legacy.pem
                backend b
                    server s 127.0.0.1:80
                """, Path.of("/etc/haproxy/edge.cfg"));
        assertThat(found.target().name()).isEqualTo("edge");
        assertThat(found.directCrtBinds()).containsExactly(
                new DiscoveredHaproxy.DirectCrtBind(5, "frontend https", ":443", List.of("/etc/ssl/private/default.pem")),
                new DiscoveredHaproxy.DirectCrtBind(7, "listen legacy", ":8443", List.of("/etc/ssl/legacy.pem")));
    }

    @Test
    void socketErrors() {
        String binds = "frontend f\n    bind :443 ssl crt-list /etc/haproxy/l.txt\n";
        assertThatThrownBy(() -> HaproxyCfgDiscovery.discover("global\n    daemon\n" + binds, Path.of("/h.cfg")))
                .hasMessageStartingWith("no `stats socket` in global of /h.cfg; hapcert needs HAProxy's Runtime API");
        assertThatThrownBy(() -> HaproxyCfgDiscovery.discover(
                "global\n    stats socket /run/h.sock mode 600\n    stats socket /run/u.sock level user\n" + binds,
                Path.of("/h.cfg")))
                .hasMessage("no `stats socket ... level admin` in global of /h.cfg; found only /run/h.sock"
                        + " (level operator, line 2), /run/u.sock (level user, line 3). Changing certificates needs"
                        + " level admin: add `level admin` to one of them");
        // A stats socket outside global is not HAProxy's Runtime API configuration.
        assertThatThrownBy(() -> HaproxyCfgDiscovery.discover(
                "global\n    daemon\ndefaults\n    stats socket /x level admin\n" + binds, Path.of("/h.cfg")))
                .hasMessageStartingWith("no `stats socket` in global");
    }

    @Test
    void pathsHapcertCannotKnowAreRefused() {
        String global = "global\n    stats socket /run/admin.sock level admin\n";
        assertThatThrownBy(() -> HaproxyCfgDiscovery.discover(global + "    crt-base /etc/ssl\nfrontend f\n"
                + "    bind :443 ssl crt-list crt-list.txt\n", Path.of("/h.cfg")))
                .hasMessage("crt-list 'crt-list.txt' on line 5 of /h.cfg is relative: HAProxy opens it relative to"
                        + " its working directory (crt-base does not apply to crt-list files), which hapcert cannot"
                        + " know; write the absolute path");
        assertThatThrownBy(() -> HaproxyCfgDiscovery.discover(global + "frontend f\n"
                + "    bind :443 ssl crt-list \"$CONF/crt-list.txt\"\n", Path.of("/h.cfg")))
                .hasMessageContaining("crt-list '$CONF/crt-list.txt' on line 4 of /h.cfg uses an environment variable");
        assertThatThrownBy(() -> HaproxyCfgDiscovery.discover(global + "frontend f\n    bind :443 ssl\n",
                Path.of("/h.cfg"))).hasMessageStartingWith("no `bind` line in /h.cfg uses `crt-list`; hapcert adds");
        assertThatThrownBy(() -> HaproxyCfgDiscovery.discover("global\n    stats socket \"/run/a.sock level admin\n",
                Path.of("/h.cfg"))).hasMessage("unmatched double quote on line 2 of /h.cfg");
    }

    @Test
    void missingFileSaysWhatToDo(@TempDir Path dir) {
        assertThatThrownBy(() -> HaproxyCfgDiscovery.discover(dir.resolve("haproxy.cfg")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("write a hapcert.yml");
    }

    @Test
    void readsFromDisk(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, HaproxyCfgFixtures.render("debian.cfg", dir.toString()));
        assertThat(HaproxyCfgDiscovery.discover(cfg).target().crtList()).isEqualTo(dir + "/crt-list.txt");
    }
}
