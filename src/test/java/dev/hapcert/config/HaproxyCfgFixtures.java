package dev.hapcert.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The realistic haproxy.cfg files under test resources, with {@code @BASE@} replaced by a directory. */
final class HaproxyCfgFixtures {
    private HaproxyCfgFixtures() {
    }

    static String render(String name, String base) {
        try (InputStream in = HaproxyCfgFixtures.class.getResourceAsStream("haproxy-cfg/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@BASE@", base);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
