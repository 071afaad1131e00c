package dev.hapcert.source;

import dev.hapcert.error.HapcertException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every certificate in a lego path ({@code --path}, default {@code ./.lego}): {@code certificates/<name>.crt} with
 * {@code <name>.key} and {@code <name>.issuer.crt}. lego bundles the issuer into {@code .crt} unless run with
 * {@code --no-bundle}; then the issuer file supplies the chain.
 *
 * <p>lego names the files after the main domain with {@code *} replaced by {@code _} (and {@code :} by {@code -}),
 * so a wildcard's files are {@code _.example.com.crt}; hapcert names that certificate {@code wildcard_.example.com}
 * like every other source, and {@code example.com.crt} simply {@code example.com}. The names to cover are the
 * certificate's own: lego's {@code .json} records only the main domain.
 */
public final class LegoSource extends CertificateStore {
    static final String CERT_SUFFIX = ".crt";
    static final String ISSUER_SUFFIX = ".issuer.crt";
    static final String KEY_SUFFIX = ".key";
    /** How lego writes a leading "*." in file names. */
    private static final String LEGO_WILDCARD_PREFIX = "_.";

    private final Path legoPath;

    public LegoSource(Path legoPath) {
        this.legoPath = legoPath;
    }

    @Override
    List<Entry> entries() throws HapcertException {
        List<Entry> entries = new ArrayList<>();
        for (Path file : list(legoPath.resolve("certificates"), "lego certificates directory")) {
            String fileName = file.getFileName().toString();
            if (!fileName.endsWith(CERT_SUFFIX) || fileName.endsWith(ISSUER_SUFFIX) || !Files.isRegularFile(file)) {
                continue;
            }
            String stem = stripSuffix(fileName, CERT_SUFFIX);
            entries.add(Entry.load(stem, forCertificateFile(file, null, List.of(), null)));
        }
        return entries;
    }

    /**
     * The source for one lego certificate file, next to which lego keeps {@code .key} and {@code .issuer.crt}; also
     * what lego's hook environment describes.
     *
     * @param key the key file, or null for lego's own {@code <name>.key} next to the certificate
     */
    static ClientFilesSource forCertificateFile(Path certificate, Path key, List<String> declaredNames, String nameOverride) {
        String fileName = certificate.getFileName() == null ? "" : certificate.getFileName().toString();
        String stem = fileName.endsWith(CERT_SUFFIX) ? stripSuffix(fileName, CERT_SUFFIX) : fileName;
        Path dir = certificate.toAbsolutePath().getParent();
        return new ClientFilesSource("lego", domainFromFileStem(stem), "the lego certificate file " + certificate,
                certificate, dir.resolve(stem + ISSUER_SUFFIX), key != null ? key : dir.resolve(stem + KEY_SUFFIX),
                declaredNames, nameOverride);
    }

    /** {@code _.example.com} (lego's file name for {@code *.example.com}) back to the domain. */
    static String domainFromFileStem(String stem) {
        return stem.startsWith(LEGO_WILDCARD_PREFIX) ? "*." + stem.substring(LEGO_WILDCARD_PREFIX.length()) : stem;
    }

    @Override
    public String describe() {
        return "lego path " + legoPath;
    }
}
