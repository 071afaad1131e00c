package dev.hapcert.haproxy.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.InvalidInputException;
import org.junit.jupiter.api.Test;

class ContainerRefTest {
    @Test
    void parsesNamesIdsAndLabels() throws Exception {
        assertThat(ContainerRef.parse("haproxy")).isEqualTo(new ContainerRef.NameOrId("haproxy"));
        assertThat(ContainerRef.parse("/haproxy")).isEqualTo(new ContainerRef.NameOrId("haproxy"));
        assertThat(ContainerRef.parse("3f2a9c1b7e44")).isEqualTo(new ContainerRef.NameOrId("3f2a9c1b7e44"));
        assertThat(ContainerRef.parse("label=com.example.role=edge"))
                .isEqualTo(new ContainerRef.Label("com.example.role", "edge"));
        assertThat(ContainerRef.parse("label=k=a=b")).isEqualTo(new ContainerRef.Label("k", "a=b"));
        assertThat(ContainerRef.parse("label=k=")).isEqualTo(new ContainerRef.Label("k", ""));
        assertThat(ContainerRef.parse("label=role=edge")).hasToString("label=role=edge");
    }

    @Test
    void rejectsWhatNamesNoContainer() {
        for (String bad : new String[] {"", "  ", "label=", "label=novalue", "label==x", "two words", null}) {
            assertThatThrownBy(() -> ContainerRef.parse(bad)).as(String.valueOf(bad)).isInstanceOf(InvalidInputException.class);
        }
    }
}
