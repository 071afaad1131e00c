package dev.hapcert.source;

import dev.hapcert.error.InvalidInputException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises the environment an ACME client sets when it runs a deploy hook, so that {@code hapcert deploy}
 * with no arguments does the right thing whichever client called it.
 */
public final class HookEnvironment {
    private HookEnvironment() {
    }

    /**
     * The source the calling ACME client describes, if any.
     *
     * @throws InvalidInputException when a client's variables are present but unusable (for example
     *     {@code RENEWED_LINEAGE} set but empty)
     */
    public static Optional<CertificateSource> detect(Map<String, String> env, String nameOverride) throws InvalidInputException {
        if (env.containsKey("RENEWED_LINEAGE")) {
            String lineage = env.get("RENEWED_LINEAGE");
            if (lineage == null || lineage.isBlank()) {
                throw new InvalidInputException("RENEWED_LINEAGE is set but empty: certbot sets it to the lineage's live "
                        + "directory, e.g. /etc/letsencrypt/live/example.com");
            }
            return Optional.of(new CertbotLineageSource(Path.of(lineage), splitNames(env.get("RENEWED_DOMAINS")), nameOverride));
        }
        return Optional.empty();
    }

    static List<String> splitNames(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.trim().split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
    }
}
