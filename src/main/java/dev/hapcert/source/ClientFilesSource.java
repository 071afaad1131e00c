package dev.hapcert.source;

import dev.hapcert.cert.Bundle;
import dev.hapcert.cert.BundleReader;
import dev.hapcert.cert.BundleValidator;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One certificate as an ACME client left it: a certificate file that normally holds the full chain, an optional
 * separate issuer file, and a key. Named after the client's own directory or file for it (acme.sh
 * {@code example.com_ecc}, dehydrated {@code certs/example.com}, lego {@code example.com.crt}), so the hook and the
 * store scan of the same client give the same certificate the same name.
 *
 * <p>The issuer file is read only when the certificate file holds the leaf alone (lego {@code --no-bundle}): clients
 * that write a full chain also write the issuer separately, and reading both would duplicate the intermediate.
 */
public final class ClientFilesSource implements CertificateSource {
    private final String client;
    private final String defaultName;
    private final String nameOrigin;
    private final Path certificate;
    private final Path issuer;
    private final Path key;
    private final List<String> declaredNames;
    private final String nameOverride;

    /**
     * @param client the client, for messages ("lego", "acme.sh", "dehydrated")
     * @param defaultName the name derived from the client's layout, checked when loading (a domain-like name whose
     *     leading "*." becomes "wildcard_.")
     * @param nameOrigin where {@code defaultName} came from, for the message when it is unsafe
     * @param issuer the issuer file, or null
     * @param declaredNames the names the client says the certificate covers; empty: the certificate's own names
     * @param nameOverride {@code --name}, or null
     */
    public ClientFilesSource(String client, String defaultName, String nameOrigin, Path certificate, Path issuer, Path key,
            List<String> declaredNames, String nameOverride) {
        this.client = Objects.requireNonNull(client, "client");
        this.defaultName = defaultName;
        this.nameOrigin = Objects.requireNonNull(nameOrigin, "nameOrigin");
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.issuer = issuer;
        this.key = Objects.requireNonNull(key, "key");
        this.declaredNames = List.copyOf(declaredNames);
        this.nameOverride = nameOverride;
    }

    @Override
    public List<DesiredCertificate> load() throws HapcertException {
        String name = name();
        Bundle bundle = BundleReader.fromFiles(certificate, null, key);
        if (bundle.chain().isEmpty() && issuer != null && Files.isRegularFile(issuer)) {
            bundle = BundleReader.fromFiles(certificate, issuer, key);
        }
        BundleValidator.validate(bundle, declaredNames, Instant.now());
        List<String> required = declaredNames.isEmpty() ? bundle.dnsNames() : declaredNames;
        return List.of(new DesiredCertificate(name, bundle, required, describe()));
    }

    /** {@code --name}, else the name the client's domain gives: the name {@link #load()} takes. */
    @Override
    public Optional<String> knownName() {
        try {
            return Optional.of(name());
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
    }

    private String name() throws InvalidInputException {
        return nameOverride != null
                ? DesiredCertificate.checkName(nameOverride, "--name")
                : DesiredCertificate.nameFromDomain(defaultName, nameOrigin);
    }

    @Override
    public String describe() {
        return client + " certificate " + certificate;
    }
}
