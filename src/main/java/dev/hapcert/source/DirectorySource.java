package dev.hapcert.source;

import dev.hapcert.cert.Bundle;
import dev.hapcert.cert.BundleReader;
import dev.hapcert.cert.BundleValidator;
import dev.hapcert.error.HapcertException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain directory of combined PEM bundles, as HAProxy itself uses them: {@code <name>.pem} holding the
 * certificate, its chain and the key. The certificate is named after the file without {@code .pem} (a leading
 * {@code *.} becomes {@code wildcard_.}, as everywhere). Hidden files,
 * subdirectories and other extensions are ignored (an editor's backup or a {@code .key} next to a bundle is not a
 * second certificate).
 */
public final class DirectorySource extends CertificateStore {
    private static final String SUFFIX = ".pem";

    private final Path dir;

    public DirectorySource(Path dir) {
        this.dir = dir;
    }

    @Override
    List<Entry> entries() throws HapcertException {
        List<Entry> entries = new ArrayList<>();
        for (Path file : list(dir, "certificate bundle directory")) {
            String fileName = file.getFileName().toString();
            // Whether it is a regular file is asked by the reader thread (BundleFile.load): a stat each for 10,000
            // files here would delay the first batch of a sync.
            if (fileName.startsWith(".") || !fileName.endsWith(SUFFIX) || fileName.equals(SUFFIX)) {
                continue;
            }
            String stem = stripSuffix(fileName, SUFFIX);
            entries.add(Entry.load(stem, new BundleFile(stem, file)));
        }
        return entries;
    }

    @Override
    public String describe() {
        return "bundle directory " + dir;
    }

    /** One combined PEM file. */
    private record BundleFile(String name, Path file) implements CertificateSource {
        @Override
        public List<DesiredCertificate> load() throws HapcertException {
            if (!Files.isRegularFile(file)) {
                return List.of();  // a subdirectory or a dangling link with a .pem name: not a bundle
            }
            String certificateName = DesiredCertificate.nameFromDomain(name, "the file name " + file);
            Bundle bundle = BundleReader.fromFiles(file, null, null);
            BundleValidator.validate(bundle, List.of(), Instant.now());
            return List.of(new DesiredCertificate(certificateName, bundle, bundle.dnsNames(), describe()));
        }

        @Override
        public String describe() {
            return "bundle " + file;
        }
    }
}
