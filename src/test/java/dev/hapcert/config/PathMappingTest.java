package dev.hapcert.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathMappingTest {
    private final PathMapping mapping = new PathMapping(List.of(
            new PathMapping.Mount("/usr/local/etc/haproxy", Path.of("/srv/haproxy")),
            new PathMapping.Mount("/usr/local/etc/haproxy/certs/", Path.of("/var/lib/certs")),
            new PathMapping.Mount("/run/haproxy", Path.of("/run/containers/h1"))));

    @Test
    void longestPrefixWinsInBothDirections() throws Exception {
        assertThat(mapping.toHost("/usr/local/etc/haproxy/crt-list.txt")).isEqualTo(Path.of("/srv/haproxy/crt-list.txt"));
        assertThat(mapping.toHost("/usr/local/etc/haproxy/certs/a.pem")).isEqualTo(Path.of("/var/lib/certs/a.pem"));
        assertThat(mapping.toHost("/usr/local/etc/haproxy/certs")).isEqualTo(Path.of("/var/lib/certs"));
        assertThat(mapping.toHaproxy(Path.of("/var/lib/certs/a.pem"))).isEqualTo("/usr/local/etc/haproxy/certs/a.pem");
        assertThat(mapping.toHaproxy(Path.of("/srv/haproxy/x/y.pem"))).isEqualTo("/usr/local/etc/haproxy/x/y.pem");
        assertThat(mapping.toHaproxy(Path.of("/srv/haproxy"))).isEqualTo("/usr/local/etc/haproxy");
    }

    @Test
    void prefixesMatchWholePathComponentsAndNormalize() throws Exception {
        assertThatThrownBy(() -> mapping.toHost("/usr/local/etc/haproxy2/a.pem"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("HAProxy's path /usr/local/etc/haproxy2/a.pem is not under any mapped directory (mapped:"
                        + " /usr/local/etc/haproxy, /usr/local/etc/haproxy/certs, /run/haproxy)");
        assertThat(mapping.toHost("/usr/local/etc/haproxy//certs/./a.pem")).isEqualTo(Path.of("/var/lib/certs/a.pem"));
        assertThatThrownBy(() -> mapping.toHaproxy(Path.of("/srv/haproxy-old/a.pem")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not under any mapped directory");
        assertThatThrownBy(() -> mapping.toHost("certs/a.pem")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("is relative");
    }

    @Test
    void noMountsIsIdentityAndRootMountWorks() throws Exception {
        assertThat(PathMapping.IDENTITY.toHost("/etc/haproxy/a.pem")).isEqualTo(Path.of("/etc/haproxy/a.pem"));
        assertThat(PathMapping.IDENTITY.toHaproxy(Path.of("/etc/haproxy/a.pem"))).isEqualTo("/etc/haproxy/a.pem");
        PathMapping root = new PathMapping(List.of(new PathMapping.Mount("/", Path.of("/var/lib/containers/root"))));
        assertThat(root.toHost("/etc/a.pem")).isEqualTo(Path.of("/var/lib/containers/root/etc/a.pem"));
        assertThat(root.toHaproxy(Path.of("/var/lib/containers/root/etc/a.pem"))).isEqualTo("/etc/a.pem");
    }

    @Test
    void mountsAreValidated() {
        assertThatThrownBy(() -> new PathMapping.Mount("etc", Path.of("/x")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("'paths.haproxy'");
        assertThatThrownBy(() -> new PathMapping(List.of(new PathMapping.Mount("/a", Path.of("/x")),
                new PathMapping.Mount("/a/", Path.of("/y"))))).hasMessageContaining("maps /a twice");
    }
}
