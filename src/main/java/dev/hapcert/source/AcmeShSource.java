package dev.hapcert.source;

import dev.hapcert.error.HapcertException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every certificate in an acme.sh home (or {@code --cert-home}): a directory per certificate, {@code <domain>/} for
 * RSA keys and {@code <domain>_ecc/} for ECDSA keys, each with {@code <domain>.conf}, {@code <domain>.key},
 * {@code <domain>.cer}, {@code ca.cer} and {@code fullchain.cer}.
 *
 * <p>Each is named after its directory ({@code example.com}, {@code example.com_ecc}; a wildcard's
 * {@code *.example.com} becomes {@code wildcard_.example.com}), so the RSA and ECDSA certificates of one domain
 * never replace each other and HAProxy can serve both for the same SNI, choosing by the client's capabilities.
 * The shipped deploy hook ({@code hapcert.sh}) uses the same names.
 *
 * <p>Like acme.sh's own {@code --list}, a directory counts as a certificate when it holds {@code <domain>.conf};
 * acme.sh's other directories ({@code ca/}, {@code deploy/}, {@code dnsapi/}) do not. One whose first issuance
 * has not finished (no {@code fullchain.cer}) is skipped.
 */
public final class AcmeShSource extends CertificateStore {
    /** acme.sh's suffix for the directory of an ECDSA certificate. */
    public static final String ECC_SUFFIX = "_ecc";

    private final Path home;

    public AcmeShSource(Path home) {
        this.home = home;
    }

    @Override
    List<Entry> entries() throws HapcertException {
        List<Entry> entries = new ArrayList<>();
        for (Path dir : list(home, "acme.sh home")) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            String dirName = dir.getFileName().toString();
            String domain = dirName.endsWith(ECC_SUFFIX) ? stripSuffix(dirName, ECC_SUFFIX) : dirName;
            Path conf = dir.resolve(domain + ".conf");
            if (!Files.isRegularFile(conf)) {
                continue;
            }
            Path fullchain = dir.resolve("fullchain.cer");
            if (!Files.exists(fullchain)) {
                entries.add(Entry.skip(dirName, "acme.sh certificate " + dir,
                        "no fullchain.cer yet: acme.sh has not finished issuing it"));
                continue;
            }
            entries.add(Entry.load(dirName, new ClientFilesSource("acme.sh", dirName, "the acme.sh directory " + dir,
                    fullchain, dir.resolve("ca.cer"), dir.resolve(domain + ".key"), declaredNames(conf), null)));
        }
        return entries;
    }

    /** The names in the domain conf; an unreadable conf leaves the check to the certificate's own names. */
    private static List<String> declaredNames(Path conf) {
        try {
            return AcmeShDomainConf.parse(Files.readString(conf, StandardCharsets.UTF_8)).allNames();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public String describe() {
        return "acme.sh home " + home;
    }
}
