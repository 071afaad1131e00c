package dev.hapcert.haproxy.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.error.InvalidInputException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connecting and version negotiation against a stand-in engine (a real Podman accepts every version). */
class DockerEngineConnectTest {
    private static final String TOO_OLD =
            "client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version";

    @TempDir
    Path tmp;

    @Test
    void speaksTheNewestCommonVersionWithDocker29() throws Exception {
        try (FakeEngine fake = FakeEngine.onUnixSocket(tmp.resolve("d.sock"), "1.52", "1.44", TOO_OLD);
             DockerEngine engine = DockerEngine.connect("unix://" + tmp.resolve("d.sock"))) {
            assertThat(engine.apiVersion()).isEqualTo(ApiVersion.CLIENT_MAX);
            assertThatThrownBy(() -> engine.inspect(new ContainerRef.NameOrId("haproxy")));
            // Its ping names 1.52, beyond this client: only /version tells whether the engine still serves 1.51.
            assertThat(fake.requestLines).startsWith("GET /_ping HTTP/1.1", "GET /version HTTP/1.1")
                    .anySatisfy(l -> assertThat(l).startsWith("GET /v1.51/containers/haproxy/json"));
        }
    }

    @Test
    void reachesAnEngineOverTcp() throws Exception {
        try (FakeEngine fake = FakeEngine.onLoopback("1.41", "1.24", TOO_OLD)) {
            InetSocketAddress a = (InetSocketAddress) fake.address();
            try (DockerEngine engine = DockerEngine.connect("tcp://127.0.0.1:" + a.getPort())) {
                assertThat(engine.apiVersion()).isEqualTo(new ApiVersion(1, 41));
            }
        }
    }

    @Test
    void anEngineWhoseNewestVersionThisClientSpeaksIsNegotiatedByItsPingAlone() throws Exception {
        // Podman 4 and 5 name 1.41: an engine serves its own newest version, so its range is not needed.
        try (FakeEngine fake = FakeEngine.onUnixSocket(tmp.resolve("d.sock"), "1.41", "1.24", TOO_OLD);
             DockerEngine engine = DockerEngine.connect("unix://" + tmp.resolve("d.sock"))) {
            assertThat(engine.apiVersion()).isEqualTo(new ApiVersion(1, 41));
            assertThat(fake.requestLines).containsExactly("GET /_ping HTTP/1.1");
        }
    }

    @Test
    void anEngineWhosePingNamesNoVersionIsAskedForItsRange() throws Exception {
        try (FakeEngine fake = FakeEngine.withoutPingHeader(tmp.resolve("d.sock"), "1.41", "1.24", TOO_OLD);
             DockerEngine engine = DockerEngine.connect("unix://" + tmp.resolve("d.sock"))) {
            assertThat(engine.apiVersion()).isEqualTo(new ApiVersion(1, 41));
            assertThat(fake.requestLines).containsExactly("GET /_ping HTTP/1.1", "GET /version HTTP/1.1");
        }
    }

    @Test
    void namesBothVersionsWhenTheEngineRefusesOurs() throws Exception {
        try (FakeEngine fake = FakeEngine.onUnixSocket(tmp.resolve("d.sock"), "1.52", "1.44", TOO_OLD);
             DockerEngine engine = DockerEngine.connect("unix://" + tmp.resolve("d.sock"))) {
            assertThatThrownBy(() -> engine.inspect(new ContainerRef.NameOrId("haproxy")))
                    .isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("refused API version 1.51")
                    .hasMessageContaining("Minimum supported API version is 1.44");
        }
    }

    @Test
    void refusesAnEngineTooOldForUs() throws Exception {
        try (FakeEngine fake = FakeEngine.onUnixSocket(tmp.resolve("d.sock"), "1.12", "1.0", TOO_OLD)) {
            assertThatThrownBy(() -> DockerEngine.connect("unix://" + tmp.resolve("d.sock")))
                    .isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("serves API versions 1.0 to 1.12 but hapcert speaks 1.24 to 1.51")
                    .hasMessageContaining("upgrade the engine");
        }
    }

    @Test
    void refusesAnEngineTooNewForUs() throws Exception {
        try (FakeEngine fake = FakeEngine.onUnixSocket(tmp.resolve("d.sock"), "1.70", "1.60", TOO_OLD)) {
            assertThatThrownBy(() -> DockerEngine.connect("unix://" + tmp.resolve("d.sock")))
                    .isInstanceOf(HaproxyUnreachableException.class)
                    .hasMessageContaining("1.60 to 1.70").hasMessageContaining("upgrade hapcert");
        }
    }

    @Test
    void saysWhenTheEngineSocketIsMissing() {
        assertThatThrownBy(() -> DockerEngine.connect("unix://" + tmp.resolve("absent.sock")))
                .isInstanceOf(HaproxyUnreachableException.class)
                .hasMessageContaining("no docker engine socket at " + tmp.resolve("absent.sock"))
                .hasMessageContaining("DOCKER_HOST");
    }

    @Test
    void saysWhenNothingListensOnTheSocket() throws Exception {
        java.nio.file.Files.createFile(tmp.resolve("stale.sock"));
        assertThatThrownBy(() -> DockerEngine.connect("unix://" + tmp.resolve("stale.sock")))
                .isInstanceOf(HaproxyUnreachableException.class)
                .hasMessageContaining("cannot reach the docker engine at unix://" + tmp.resolve("stale.sock"));
    }

    @Test
    void rejectsAddressesItCannotUse() {
        for (String bad : new String[] {"http://localhost:2375", "unix://relative.sock", "tcp://host", "docker.sock"}) {
            assertThatThrownBy(() -> DockerEngine.connect(bad)).as(bad).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("unix:///path/to/docker.sock or tcp://host:port");
        }
    }

    @Test
    void takesTheConfiguredAddressThenDockerHostThenTheDefault() {
        assertThat(DockerEngine.resolveAddress("tcp://10.0.0.1:2375", Map.of("DOCKER_HOST", "unix:///x.sock")))
                .isEqualTo("tcp://10.0.0.1:2375");
        assertThat(DockerEngine.resolveAddress(null, Map.of("DOCKER_HOST", "unix:///x.sock"))).isEqualTo("unix:///x.sock");
        assertThat(DockerEngine.resolveAddress(" ", Map.of())).isEqualTo("unix:///var/run/docker.sock");
    }
}
