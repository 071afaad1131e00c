package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LegoSourceTest {
    @TempDir
    Path lego;

    @Test
    void bundledAndUnbundledCertificatesBothCarryTheirChain() throws Exception {
        TestCertificates.Issued bundled = ClientLayouts.issue("a.example.test");
        TestCertificates.Issued unbundled = ClientLayouts.issue("b.example.test");
        ClientLayouts.legoCertificate(lego, "a.example.test", bundled, false);
        ClientLayouts.legoCertificate(lego, "b.example.test", unbundled, true);
        ClientLayouts.write(lego.resolve("accounts/acme-v02.api.letsencrypt.org/ops@example.org/account.json"), "{}");

        List<DesiredCertificate> loaded = new LegoSource(lego).load();

        assertThat(loaded).extracting(DesiredCertificate::name).containsExactly("a.example.test", "b.example.test");
        assertThat(loaded).allSatisfy(c -> assertThat(c.bundle().chain()).hasSize(1));
        assertThat(loaded.get(1).bundle().serialHex()).isEqualToIgnoringCase(unbundled.serialHex());
    }

    @Test
    void wildcardFilesAreNamedLikeEverySourceNamesWildcards() throws Exception {
        ClientLayouts.legoCertificate(lego, "_.example.test", ClientLayouts.issue("*.example.test", "example.test"), false);

        DesiredCertificate c = new LegoSource(lego).load().get(0);

        assertThat(c.name()).isEqualTo("wildcard_.example.test");
        assertThat(c.requiredNames()).containsExactlyInAnyOrder("*.example.test", "example.test");
    }

    @Test
    void aCertificateWithoutItsKeyFailsAlone() throws Exception {
        ClientLayouts.legoCertificate(lego, "ok.example.test", ClientLayouts.issue("ok.example.test"), false);
        ClientLayouts.write(lego.resolve("certificates/nokey.example.test.crt"), ClientLayouts.issue("nokey.example.test").fullchainPem());

        List<SourceItem> items = new LegoSource(lego).loadEach();

        assertThat(items).extracting(SourceItem::name).containsExactly("nokey.example.test", "ok.example.test");
        assertThat(items.get(0)).isInstanceOf(SourceItem.Failed.class);
        assertThat(items.get(1)).isInstanceOf(SourceItem.Loaded.class);
    }

    @Test
    void aPathWithoutCertificatesIsAConfigError() {
        assertThatThrownBy(() -> new LegoSource(lego).load()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("certificates");
    }
}
