package dev.hapcert.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/** Reads what certbot put in a lineage's live directory (only the certificate, never {@code privkey.pem}). */
final class CertbotLive {
    private CertbotLive() {
    }

    /** The leaf certificate in {@code live/<name>/cert.pem} (a symlink into {@code archive/}). */
    static X509Certificate leaf(Path liveDir) {
        try (InputStream in = Files.newInputStream(liveDir.resolve("cert.pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertificateException e) {
            throw new IllegalStateException("certbot's cert.pem in " + liveDir + " does not parse", e);
        }
    }
}
