package dev.hapcert.source;

import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lays out certificates the way each ACME client leaves them on disk (file names, symlinks, side files), for tests
 * that must not depend on a client being installed. The real clients' output is checked in {@code Real*Test}.
 */
final class ClientLayouts {
    static final TestCertificates.Authority CA = TestCertificates.newRootCa("hapcert source test root")
            .intermediate("hapcert source test intermediate");

    private ClientLayouts() {
    }

    static TestCertificates.Issued issue(String... names) {
        return CA.leaf(names).issue();
    }

    /** certbot: archive/NAME/*1.pem, live/NAME/* symlinks, live/README, renewal/NAME.conf as certbot 2.1 writes it. */
    static Path certbotLineage(Path configDir, String lineage, TestCertificates.Issued cert, String renewalParamsExtra) {
        Path archive = configDir.resolve("archive").resolve(lineage);
        Path live = configDir.resolve("live").resolve(lineage);
        write(archive.resolve("cert1.pem"), cert.certPem());
        write(archive.resolve("chain1.pem"), cert.chainPem());
        write(archive.resolve("fullchain1.pem"), cert.fullchainPem());
        write(archive.resolve("privkey1.pem"), cert.keyPkcs8Pem());
        for (String file : new String[] {"cert", "chain", "fullchain", "privkey"}) {
            symlink(live.resolve(file + ".pem"), Path.of("../../archive/" + lineage + "/" + file + "1.pem"));
        }
        write(live.resolve("README"), "This directory contains your keys and certificates.\n");
        write(configDir.resolve("live").resolve("README"), "This directory contains your keys and certificates.\n");
        write(configDir.resolve("renewal").resolve(lineage + ".conf"), """
                # renew_before_expiry = 30 days
                version = 2.1.0
                archive_dir = %1$s/archive/%2$s
                cert = %1$s/live/%2$s/cert.pem
                privkey = %1$s/live/%2$s/privkey.pem
                chain = %1$s/live/%2$s/chain.pem
                fullchain = %1$s/live/%2$s/fullchain.pem

                # Options used in the renewal process
                [renewalparams]
                account = c8eb1555a08a2e4cec5ed983ab352704
                authenticator = standalone
                server = https://acme-v02.api.letsencrypt.org/directory
                key_type = ecdsa
                %3$s""".formatted(configDir, lineage, renewalParamsExtra));
        return live;
    }

    /** acme.sh: HOME/DIR/ with DOMAIN.conf, DOMAIN.key, DOMAIN.cer, ca.cer, fullchain.cer (DIR = DOMAIN[_ecc]). */
    static Path acmeShDomain(Path home, String domain, boolean ecc, TestCertificates.Issued cert, String alt) {
        Path dir = home.resolve(domain + (ecc ? "_ecc" : ""));
        write(dir.resolve(domain + ".conf"), """
                Le_Domain='%s'
                Le_Alt='%s'
                Le_Webroot='no'
                Le_Keylength='%s'
                Le_API='https://acme-v02.api.letsencrypt.org/directory'
                """.formatted(domain, alt, ecc ? "ec-256" : "2048"));
        write(dir.resolve(domain + ".key"), cert.keyTraditionalPem());
        write(dir.resolve(domain + ".cer"), cert.certPem());
        write(dir.resolve("ca.cer"), cert.chainPem());
        write(dir.resolve("fullchain.cer"), cert.fullchainPem());
        write(dir.resolve(domain + ".csr"), "-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n");
        return dir;
    }

    /** lego: PATH/certificates/STEM.crt (bundled unless noBundle), STEM.key, STEM.issuer.crt, STEM.json. */
    static Path legoCertificate(Path legoPath, String stem, TestCertificates.Issued cert, boolean noBundle) {
        Path dir = legoPath.resolve("certificates");
        write(dir.resolve(stem + ".crt"), noBundle ? cert.certPem() : cert.fullchainPem());
        write(dir.resolve(stem + ".issuer.crt"), cert.chainPem());
        write(dir.resolve(stem + ".key"), cert.keyTraditionalPem());
        write(dir.resolve(stem + ".json"), "{\n\t\"domain\": \"" + stem + "\"\n}");
        return dir.resolve(stem + ".crt");
    }

    /** dehydrated: BASE/certs/NAME/{privkey,cert,chain,fullchain}-TS.pem with unversioned symlinks to them. */
    static Path dehydratedCertificate(Path baseDir, String name, TestCertificates.Issued cert) {
        Path dir = baseDir.resolve("certs").resolve(name);
        String ts = "1700000000";
        write(dir.resolve("privkey-" + ts + ".pem"), cert.keyTraditionalPem());
        write(dir.resolve("cert-" + ts + ".pem"), cert.certPem());
        write(dir.resolve("chain-" + ts + ".pem"), cert.chainPem());
        write(dir.resolve("fullchain-" + ts + ".pem"), cert.fullchainPem());
        write(dir.resolve("cert-" + ts + ".csr"), "-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n");
        for (String file : new String[] {"privkey", "cert", "chain", "fullchain"}) {
            symlink(dir.resolve(file + ".pem"), Path.of(file + "-" + ts + ".pem"));
        }
        return dir;
    }

    static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void symlink(Path link, Path target) {
        try {
            Files.createDirectories(link.getParent());
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
