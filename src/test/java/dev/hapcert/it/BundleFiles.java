package dev.hapcert.it;

import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minted certificate written the way an ACME client leaves it: {@code fullchain.pem} and a private
 * {@code privkey.pem} (mode 0600), in a directory of its own.
 */
record BundleFiles(Path fullchain, Path key) {

    static BundleFiles write(Path parent, String label, TestCertificates.Issued issued) {
        try {
            Path dir = Files.createDirectories(parent.resolve(label));
            Path fullchain = dir.resolve("fullchain.pem");
            Files.writeString(fullchain, issued.fullchainPem());
            Path key = dir.resolve("privkey.pem");
            HaproxyProcess.writePrivate(key, issued.keyPkcs8Pem());
            return new BundleFiles(fullchain, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The certificate options of {@code hapcert deploy}. */
    String[] options() {
        return new String[] {"--fullchain", fullchain.toString(), "--key", key.toString()};
    }
}
