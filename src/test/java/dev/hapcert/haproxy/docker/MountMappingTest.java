package dev.hapcert.haproxy.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountMappingTest {
    private final MountMapping mapping = new MountMapping("edge (0123456789ab)", List.of(
            new ContainerMount("bind", "/srv/haproxy", "/usr/local/etc/haproxy", true),
            new ContainerMount("bind", "/etc/letsencrypt-haproxy", "/usr/local/etc/haproxy/certs", true),
            new ContainerMount("bind", "/srv/ro", "/etc/ro", false),
            new ContainerMount("volume", "", "/var/lib/haproxy", true)));

    @Test
    void mapsThroughTheLongestMountedPrefix() throws Exception {
        assertThat(mapping.hostPathForWrite("/usr/local/etc/haproxy/haproxy.cfg")).isEqualTo(Path.of("/srv/haproxy/haproxy.cfg"));
        assertThat(mapping.hostPathForWrite("/usr/local/etc/haproxy/certs/a.pem"))
                .isEqualTo(Path.of("/etc/letsencrypt-haproxy/a.pem"));
        assertThat(mapping.hostPathForWrite("/usr/local/etc/haproxy/certs")).isEqualTo(Path.of("/etc/letsencrypt-haproxy"));
        assertThat(mapping.containerPathFor(Path.of("/etc/letsencrypt-haproxy/x/b.pem")))
                .isEqualTo("/usr/local/etc/haproxy/certs/x/b.pem");
        assertThat(mapping.containerPathFor(Path.of("/srv/haproxy/crt-list.txt"))).isEqualTo("/usr/local/etc/haproxy/crt-list.txt");
    }

    @Test
    void refusesPathsOutsideAnyWritableMount() {
        assertThatThrownBy(() -> mapping.hostPathForWrite("/usr/local/etc/haproxyX/a.pem"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not on a bind mount")
                .hasMessageContaining("-v /host/dir:/usr/local/etc/haproxyX");
        assertThatThrownBy(() -> mapping.hostPathForWrite("/var/lib/haproxy/a.pem"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not on a bind mount");
        assertThatThrownBy(() -> mapping.hostPathForWrite("/etc/ro/a.pem"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("read-only");
        assertThatThrownBy(() -> mapping.containerPathFor(Path.of("/srv/haproxy2/a.pem")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not inside any mount");
    }

    @Test
    void aRootMountMapsEverything() throws Exception {
        MountMapping root = new MountMapping("c", List.of(new ContainerMount("bind", "/srv/root", "/", true)));
        assertThat(root.hostPathForWrite("/etc/haproxy/a.pem")).isEqualTo(Path.of("/srv/root/etc/haproxy/a.pem"));
        assertThat(root.containerPathFor(Path.of("/srv/root/etc/a.pem"))).isEqualTo("/etc/a.pem");
    }

    @Test
    void findsABindMountedSocketOnlyWhenItIsASocket(@TempDir Path tmp) throws Exception {
        MountMapping m = new MountMapping("c", List.of(new ContainerMount("bind", tmp.toString(), "/run/haproxy", true)));
        assertThat(m.hostSocket("/run/haproxy/admin.sock")).isEmpty();
        Files.writeString(tmp.resolve("plain.sock"), "");
        assertThat(m.hostSocket("/run/haproxy/plain.sock")).isEmpty();
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(tmp.resolve("admin.sock")));
            assertThat(m.hostSocket("/run/haproxy/admin.sock")).contains(tmp.resolve("admin.sock"));
            assertThat(m.hostSocket("/tmp/admin.sock")).isEmpty();
        }
    }
}
