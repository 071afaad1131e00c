package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.InvalidInputException;
import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certbot lineages and separate files, laid out as certbot does: live/ files are relative symlinks into archive/. */
class BundleReaderFilesTest {
    private static final Issued ISSUED = Fixtures.leaf(KeyType.EC_P256);

    @TempDir
    Path config;
    private Path live;
    private Path archive;

    @BeforeEach
    void certbotLineage() throws Exception {
        archive = Files.createDirectories(config.resolve("archive/shop.example.test"));
        live = Files.createDirectories(config.resolve("live/shop.example.test"));
        Files.writeString(archive.resolve("cert1.pem"), ISSUED.certPem());
        Files.writeString(archive.resolve("chain1.pem"), ISSUED.chainPem());
        Files.writeString(archive.resolve("fullchain1.pem"), ISSUED.fullchainPem());
        Files.writeString(archive.resolve("privkey1.pem"), ISSUED.keyPkcs8Pem());
        for (String kind : new String[] {"cert", "chain", "fullchain", "privkey"}) {
            Files.createSymbolicLink(live.resolve(kind + ".pem"), Path.of("../../archive/shop.example.test/" + kind + "1.pem"));
        }
    }

    @Test
    void readsACertbotLineage() throws Exception {
        Bundle bundle = BundleReader.fromLineage(live);
        KeyLeaks.assertSameSecret(bundle.haproxyPem(), Fixtures.rendered(ISSUED).getBytes());
        assertThat(bundle.dnsNames()).containsExactly("shop.example.test", "www.shop.example.test");
    }

    @Test
    void fallsBackToCertAndChainWithoutFullchain() throws Exception {
        Files.delete(live.resolve("fullchain.pem"));
        KeyLeaks.assertSameSecret(BundleReader.fromLineage(live).haproxyPem(), Fixtures.rendered(ISSUED).getBytes());
    }

    @Test
    void lineageProblemsEachHaveTheirOwnMessage() throws Exception {
        Path missing = config.resolve("live/nope.example.test");
        assertThatThrownBy(() -> BundleReader.fromLineage(missing))
                .hasMessage("certbot lineage directory " + missing + " does not exist");

        Path file = live.resolve("cert.pem");
        assertThatThrownBy(() -> BundleReader.fromLineage(file))
                .hasMessage("certbot lineage directory " + file + " is not a directory");

        Files.delete(archive.resolve("fullchain1.pem"));
        assertThatThrownBy(() -> BundleReader.fromLineage(live))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("file " + live.resolve("fullchain.pem") + " is a symbolic link to"
                        + " ../../archive/shop.example.test/fullchain1.pem, which does not exist");

        Files.delete(live.resolve("fullchain.pem"));
        Files.delete(live.resolve("chain.pem"));
        assertThatThrownBy(() -> BundleReader.fromLineage(live))
                .hasMessageContaining("has neither fullchain.pem nor cert.pem with chain.pem");

        Files.delete(live.resolve("privkey.pem"));
        assertThatThrownBy(() -> BundleReader.fromLineage(live)).hasMessageContaining("has no privkey.pem");
    }

    @Test
    void aSeparateChainIsAppendedWithoutDuplicates() throws Exception {
        Bundle bundle = BundleReader.fromFiles(archive.resolve("fullchain1.pem"), archive.resolve("chain1.pem"),
                archive.resolve("privkey1.pem"));
        assertThat(bundle.chain()).containsExactlyElementsOf(ISSUED.chain());
    }

    @Test
    void theKeyMayBeInsideTheCertificateFile() throws Exception {
        Path combined = Files.writeString(config.resolve("shop.pem"), ISSUED.haproxyPem());
        KeyLeaks.assertSameSecret(BundleReader.fromFiles(combined, null, null).haproxyPem(),
                Fixtures.rendered(ISSUED).getBytes());
        // The same key given twice (combined file and key file) is still one key.
        assertThat(BundleReader.fromFiles(combined, null, archive.resolve("privkey1.pem")).key().algorithm()).isEqualTo("EC");
    }

    @Test
    void twoDifferentKeysInTwoFilesAreNamed() throws Exception {
        Path combined = Files.writeString(config.resolve("shop.pem"), ISSUED.haproxyPem());
        Issued other = Fixtures.leaf(KeyType.EC_P384);
        Path otherKey = Files.writeString(config.resolve("other.key"), other.keyPkcs8Pem());
        assertThatThrownBy(() -> BundleReader.fromFiles(combined, null, otherKey))
                .hasMessageStartingWith("found two different private keys in " + combined + " and in " + otherKey)
                .satisfies(e -> KeyLeaks.assertNoKeyMaterial(e.getMessage(), ISSUED, other));
    }

    @Test
    void certificatesWithoutAKeyFileSayWhatToAdd() {
        Path fullchain = archive.resolve("fullchain1.pem");
        assertThatThrownBy(() -> BundleReader.fromFiles(fullchain, null, null))
                .hasMessage(fullchain + " contains certificates but no private key: also give the key file (certbot: privkey.pem)");
    }
}
