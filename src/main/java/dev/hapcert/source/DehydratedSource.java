package dev.hapcert.source;

import dev.hapcert.error.HapcertException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every certificate in a dehydrated base directory ({@code BASEDIR}, {@code /var/lib/dehydrated} on Debian):
 * {@code certs/<name>/} with {@code privkey.pem}, {@code cert.pem}, {@code chain.pem} and {@code fullchain.pem}
 * (symlinks to the newest timestamped files). {@code <name>} is the first domain of the line in
 * {@code domains.txt}, or its alias ({@code > alias}); the certificate is named after that directory, as the
 * {@code deploy_cert} hook call names it. A directory without {@code fullchain.pem} is skipped.
 */
public final class DehydratedSource extends CertificateStore {
    private final Path certsDir;

    /** The store under {@code baseDir/certs}, dehydrated's default {@code CERTDIR}. */
    public DehydratedSource(Path baseDir) {
        this.certsDir = baseDir.resolve("certs");
    }

    @Override
    List<Entry> entries() throws HapcertException {
        List<Entry> entries = new ArrayList<>();
        for (Path dir : list(certsDir, "dehydrated certificate directory")) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            String name = dir.getFileName().toString();
            if (!Files.exists(dir.resolve("fullchain.pem"))) {
                entries.add(Entry.skip(name, "dehydrated certificate " + dir, "no fullchain.pem: not issued yet"));
                continue;
            }
            entries.add(Entry.load(name, forCertificateDir(dir, dir.resolve("fullchain.pem"), dir.resolve("privkey.pem"),
                    List.of(), null)));
        }
        return entries;
    }

    /** One dehydrated certificate directory; also what a {@code deploy_cert} hook call describes. */
    static ClientFilesSource forCertificateDir(Path dir, Path fullchain, Path key, List<String> declaredNames,
            String nameOverride) {
        Path dirName = dir.toAbsolutePath().normalize().getFileName();
        return new ClientFilesSource("dehydrated", dirName == null ? "" : dirName.toString(),
                "the dehydrated certificate directory " + dir, fullchain, null, key, declaredNames, nameOverride);
    }

    @Override
    public String describe() {
        return "dehydrated certificates " + certsDir;
    }
}
