package dev.hapcert.source;

import dev.hapcert.cert.Bundle;
import dev.hapcert.cert.BundleReader;
import dev.hapcert.cert.BundleValidator;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.InvalidInputException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Explicit files: a certificate or full chain, an optional separate chain, and a key (or a combined PEM that holds
 * the key too). Without {@code --name}, the name is the certificate's first DNS name.
 */
public final class FilesSource implements CertificateSource {
    private final Path certificate;
    private final Path chain;
    private final Path key;
    private final List<String> requiredNames;
    private final String nameOverride;

    public FilesSource(Path certificate, Path chain, Path key, List<String> requiredNames, String nameOverride) {
        this.certificate = certificate;
        this.chain = chain;
        this.key = key;
        this.requiredNames = List.copyOf(requiredNames);
        this.nameOverride = nameOverride;
    }

    @Override
    public List<DesiredCertificate> load() throws HapcertException {
        Bundle bundle = BundleReader.fromFiles(certificate, chain, key);
        BundleValidator.validate(bundle, requiredNames, Instant.now());
        String name;
        if (nameOverride != null) {
            name = DesiredCertificate.checkName(nameOverride, "--name");
        } else {
            List<String> names = bundle.dnsNames();
            if (names.isEmpty()) {
                throw new InvalidInputException("the certificate in " + certificate
                        + " has no DNS name to name it by; give --name");
            }
            name = DesiredCertificate.nameFromDomain(names.get(0), "the certificate's first DNS name");
        }
        return List.of(new DesiredCertificate(name, bundle, requiredNames, describe()));
    }

    /** Only {@code --name}: without it the name is the certificate's first DNS name, known once it is read. */
    @Override
    public Optional<String> knownName() {
        return nameOverride != null && DesiredCertificate.isSafeName(nameOverride) ? Optional.of(nameOverride) : Optional.empty();
    }

    @Override
    public String describe() {
        return "files " + certificate + (key != null ? " + " + key : "");
    }
}
