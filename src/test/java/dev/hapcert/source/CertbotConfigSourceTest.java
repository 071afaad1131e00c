package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.InvalidInputException;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertbotConfigSourceTest {
    @TempDir
    Path config;

    @Test
    void loadsEveryLineageNamedAfterItsDirectory() throws Exception {
        TestCertificates.Issued shop = ClientLayouts.issue("shop.example.test", "www.shop.example.test");
        TestCertificates.Issued api = ClientLayouts.issue("api.example.test");
        ClientLayouts.certbotLineage(config, "shop.example.test", shop, "");
        ClientLayouts.certbotLineage(config, "api.example.test-0001", api, "");

        List<DesiredCertificate> loaded = new CertbotConfigSource(config).load();

        assertThat(loaded).extracting(DesiredCertificate::name).containsExactly("api.example.test-0001", "shop.example.test");
        DesiredCertificate first = loaded.get(1);
        assertThat(first.bundle().serialHex()).isEqualToIgnoringCase(shop.serialHex());
        // certbot 2.x conf lists no domains: the certificate's own names are the ones to cover.
        assertThat(first.requiredNames()).containsExactlyInAnyOrder("shop.example.test", "www.shop.example.test");
        assertThat(first.origin()).contains("live").contains("shop.example.test");
    }

    @Test
    void webrootMapDomainsMustBeCovered() throws Exception {
        ClientLayouts.certbotLineage(config, "a.example.test", ClientLayouts.issue("a.example.test"),
                "[[webroot_map]]\na.example.test = /srv\nb.example.test = /srv\n");

        List<SourceItem> items = new CertbotConfigSource(config).loadEach();

        assertThat(items).singleElement().isInstanceOf(SourceItem.Failed.class);
        assertThat(((SourceItem.Failed) items.get(0)).error()).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void oneBrokenLineageDoesNotHideTheOthers() throws Exception {
        TestCertificates.Issued good = ClientLayouts.issue("good.example.test");
        ClientLayouts.certbotLineage(config, "good.example.test", good, "");
        Path bad = ClientLayouts.certbotLineage(config, "bad.example.test", ClientLayouts.issue("bad.example.test"), "");
        // The key of another certificate: HAProxy would refuse this bundle.
        Files.writeString(config.resolve("archive/bad.example.test/privkey1.pem"), good.keyPkcs8Pem());
        Path expired = ClientLayouts.certbotLineage(config, "old.example.test", ClientLayouts.CA.leaf("old.example.test")
                .validity(Instant.now().minus(Duration.ofDays(100)), Instant.now().minus(Duration.ofDays(10))).issue(), "");

        CertbotConfigSource source = new CertbotConfigSource(config);
        List<SourceItem> items = source.loadEach();

        assertThat(items).extracting(SourceItem::name).containsExactly("bad.example.test", "good.example.test", "old.example.test");
        assertThat(items.get(0)).isInstanceOf(SourceItem.Failed.class);
        assertThat(((SourceItem.Failed) items.get(0)).origin()).contains(bad.toString());
        assertThat(items.get(1)).isInstanceOf(SourceItem.Loaded.class);
        assertThat(items.get(2)).isInstanceOf(SourceItem.Failed.class);
        assertThat(((SourceItem.Failed) items.get(2)).origin()).contains(expired.toString());
        assertThatThrownBy(source::load).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("2 of 3").hasMessageContaining("bad.example.test").hasMessageContaining("old.example.test")
                .hasMessageNotContaining("PRIVATE KEY");
    }

    @Test
    void liveWithoutRenewalConfIsSkippedAndConfWithoutLiveFails() throws Exception {
        ClientLayouts.certbotLineage(config, "orphan.example.test", ClientLayouts.issue("orphan.example.test"), "");
        Files.delete(config.resolve("renewal/orphan.example.test.conf"));
        ClientLayouts.write(config.resolve("renewal/gone.example.test.conf"), "version = 2.1.0\n");
        ClientLayouts.write(config.resolve("renewal/notes.txt"), "not a conf\n");

        List<SourceItem> items = new CertbotConfigSource(config).loadEach();

        assertThat(items).extracting(SourceItem::name).containsExactly("gone.example.test", "orphan.example.test");
        assertThat(items.get(0)).isInstanceOfSatisfying(SourceItem.Failed.class,
                f -> assertThat(f.error().getMessage()).contains("live").contains("gone.example.test"));
        assertThat(items.get(1)).isInstanceOfSatisfying(SourceItem.Skipped.class,
                s -> assertThat(s.reason()).contains("orphan.example.test.conf"));
    }

    @Test
    void anUnsafeLineageNameFailsOnlyThatLineage() throws Exception {
        ClientLayouts.certbotLineage(config, "ok.example.test", ClientLayouts.issue("ok.example.test"), "");
        ClientLayouts.certbotLineage(config, "-rf", ClientLayouts.issue("x.example.test"), "");

        List<SourceItem> items = new CertbotConfigSource(config).loadEach();

        assertThat(items).hasSize(2);
        assertThat(items.get(0)).isInstanceOfSatisfying(SourceItem.Failed.class,
                f -> assertThat(f.error().getMessage()).contains("not safe"));
        assertThat(items.get(1)).isInstanceOf(SourceItem.Loaded.class);
    }

    @Test
    void aDirectoryThatIsNoCertbotConfigIsAConfigError() {
        assertThatThrownBy(() -> new CertbotConfigSource(config.resolve("missing")).loadEach())
                .isInstanceOf(ConfigException.class).hasMessageContaining("--config-dir");
        assertThatThrownBy(() -> new CertbotConfigSource(config).loadEach()).isInstanceOf(ConfigException.class);
    }

    @Test
    void anEmptyCertbotConfigHasNoCertificates() throws HapcertException {
        ClientLayouts.write(config.resolve("live/README"), "readme\n");
        assertThat(new CertbotConfigSource(config).loadEach()).isEmpty();
        assertThat(new CertbotConfigSource(config).load()).isEmpty();
    }
}
