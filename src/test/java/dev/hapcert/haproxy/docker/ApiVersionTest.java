package dev.hapcert.haproxy.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.InvalidInputException;
import org.junit.jupiter.api.Test;

class ApiVersionTest {
    private static ApiVersion v(String s) throws InvalidInputException {
        return ApiVersion.parse(s);
    }

    @Test
    void parsesWhatEnginesReport() throws Exception {
        assertThat(v("1.41")).isEqualTo(new ApiVersion(1, 41));
        assertThat(v("v1.44")).isEqualTo(new ApiVersion(1, 44));
        assertThat(v("1.9").compareTo(v("1.10"))).isNegative();
        for (String bad : new String[] {"", "1", "1.x", "4.3.1", "latest", null}) {
            assertThatThrownBy(() -> ApiVersion.parse(bad)).as(String.valueOf(bad)).isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    void negotiatesTheNewestCommonVersion() throws Exception {
        assertThat(ApiVersion.negotiate(v("1.24"), v("1.41"))).isEqualTo(v("1.41"));      // Podman 4
        assertThat(ApiVersion.negotiate(v("1.44"), v("1.52"))).isEqualTo(ApiVersion.CLIENT_MAX); // Docker 29
        assertThat(ApiVersion.negotiate(null, v("1.30"))).isEqualTo(v("1.30"));
        assertThatThrownBy(() -> ApiVersion.negotiate(v("1.0"), v("1.20"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ApiVersion.negotiate(v("1.60"), v("1.70"))).isInstanceOf(IllegalStateException.class);
    }
}
