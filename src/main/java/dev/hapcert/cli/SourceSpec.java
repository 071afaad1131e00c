package dev.hapcert.cli;

import dev.hapcert.error.ConfigException;
import dev.hapcert.source.AcmeShSource;
import dev.hapcert.source.CertbotConfigSource;
import dev.hapcert.source.CertificateSource;
import dev.hapcert.source.DehydratedSource;
import dev.hapcert.source.DirectorySource;
import dev.hapcert.source.LegoSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --source KIND:PATH} for commands that work on a whole store: {@code certbot:/etc/letsencrypt},
 * {@code acme.sh:/root/.acme.sh}, {@code lego:/root/.lego}, {@code dehydrated:/etc/dehydrated}, {@code dir:/srv/bundles}.
 */
final class SourceSpec {
    static final String DEFAULT = "certbot:/etc/letsencrypt";
    static final String FORMS = "certbot:DIR, acme.sh:DIR, lego:DIR, dehydrated:DIR or dir:DIR";

    private SourceSpec() {
    }

    static List<CertificateSource> parseAll(List<String> specs) throws ConfigException {
        List<CertificateSource> sources = new ArrayList<>();
        for (String spec : specs) {
            sources.add(parse(spec));
        }
        return sources;
    }

    static CertificateSource parse(String spec) throws ConfigException {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new ConfigException("--source '" + spec + "': expected " + FORMS);
        }
        String kind = spec.substring(0, colon).toLowerCase(Locale.ROOT);
        Path path = Path.of(spec.substring(colon + 1));
        return switch (kind) {
            case "certbot" -> new CertbotConfigSource(path);
            case "acme.sh", "acmesh" -> new AcmeShSource(path);
            case "lego" -> new LegoSource(path);
            case "dehydrated" -> new DehydratedSource(path);
            case "dir", "directory" -> new DirectorySource(path);
            default -> throw new ConfigException("--source '" + spec + "': unknown kind '" + kind + "'; expected " + FORMS);
        };
    }
}
