package dev.hapcert.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.cert.IssuerChains;
import dev.hapcert.config.FileOwnership;
import dev.hapcert.error.ConfigException;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issuer file names and writing, without an HAProxy (IssuersCommandTest runs the whole story against one). */
class IssuerFilesTest {
    private static final TestCertificates.Authority ROOT = TestCertificates.newRootCa("files root");

    @TempDir
    Path dir;

    private static IssuerFiles.ChainEntry missing(TestCertificates.Authority ca) {
        return new IssuerFiles.ChainEntry(new IssuerChains.CarriedChain(List.of(ca.certificate()), 5),
                IssuerFiles.State.MISSING, Optional.empty());
    }

    @Test
    void theNameSaysTheIssuerAndCannotCollideWithAnotherIssuers() {
        TestCertificates.Authority r11 = ROOT.intermediate("R11");
        // The test CA takes its common name as DN text: an escaped comma, as RFC 2253 writes it.
        TestCertificates.Authority odd = ROOT.intermediate("../Some\\, CA: G2");
        String keyId = IssuerChains.issuerKeyId(r11.certificate()).orElseThrow();
        assertThat(IssuerFiles.fileName(r11.certificate())).isEqualTo("R11-" + keyId.substring(0, 8) + ".pem");
        assertThat(IssuerFiles.fileName(odd.certificate())).matches("Some-CA-G2-[0-9a-f]{8}\\.pem");
        assertThat(IssuerFiles.fileName(ROOT.intermediate("R11").certificate()))
                .as("another R11 key").isNotEqualTo(IssuerFiles.fileName(r11.certificate()));
    }

    @Test
    void writesTheChainOnceAndNeverOverAnotherFile() throws Exception {
        TestCertificates.Authority ca = ROOT.intermediate("files CA");
        Path file = IssuerFiles.write(dir, missing(ca), FileOwnership.DEFAULT);
        assertThat(Files.readString(file)).isEqualTo(TestCertificates.pem(ca.certificate()));
        assertThat(IssuerChains.load(dir, java.time.Instant.MAX).holding(List.of(ca.certificate())))
                .isEqualTo(IssuerChains.Holding.THIS_CHAIN);
        assertThat(IssuerChains.load(dir, java.time.Instant.MAX).holding(List.of(ca.certificate(), ROOT.certificate())))
                .isEqualTo(IssuerChains.Holding.ANOTHER_CHAIN);

        assertThatThrownBy(() -> IssuerFiles.write(dir, missing(ca), FileOwnership.DEFAULT))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is there already");
        TestCertificates.Authority held = ROOT.intermediate("held CA");
        assertThatThrownBy(() -> IssuerFiles.write(dir, new IssuerFiles.ChainEntry(
                new IssuerChains.CarriedChain(List.of(held.certificate()), 1), IssuerFiles.State.IN_USE, Optional.empty()),
                FileOwnership.DEFAULT)).isInstanceOf(IllegalArgumentException.class);
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("no temp file left").containsExactly(file);
        }
    }
}
