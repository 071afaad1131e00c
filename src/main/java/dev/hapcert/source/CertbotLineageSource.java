package dev.hapcert.source;

import dev.hapcert.cert.Bundle;
import dev.hapcert.cert.BundleReader;
import dev.hapcert.cert.BundleValidator;
import dev.hapcert.error.HapcertException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One certbot lineage: {@code live/<name>/fullchain.pem} and {@code privkey.pem}. The lineage directory's name
 * ({@code shop.example.com}, {@code shop.example.com-0001}) is the certificate's name in HAProxy.
 */
public final class CertbotLineageSource implements CertificateSource {
    private final Path lineage;
    private final List<String> requiredNames;
    private final String nameOverride;

    public CertbotLineageSource(Path lineage, List<String> requiredNames, String nameOverride) {
        this.lineage = lineage;
        this.requiredNames = List.copyOf(requiredNames);
        this.nameOverride = nameOverride;
    }

    /** The lineage directory's name, or {@code --name}. */
    @Override
    public Optional<String> knownName() {
        String name = name();
        return DesiredCertificate.isSafeName(name) ? Optional.of(name) : Optional.empty();
    }

    private String name() {
        Path fileName = lineage.toAbsolutePath().normalize().getFileName();
        return nameOverride != null ? nameOverride : (fileName == null ? "" : fileName.toString());
    }

    @Override
    public List<DesiredCertificate> load() throws HapcertException {
        String name = name();
        DesiredCertificate.checkName(name, nameOverride != null ? "--name" : "the lineage directory " + lineage);
        Bundle bundle = BundleReader.fromLineage(lineage);
        BundleValidator.validate(bundle, requiredNames, Instant.now());
        return List.of(new DesiredCertificate(name, bundle, requiredNames, describe()));
    }

    @Override
    public String describe() {
        return "certbot lineage " + lineage;
    }
}
