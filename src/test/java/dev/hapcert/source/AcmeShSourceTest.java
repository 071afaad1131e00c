package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.ConfigException;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcmeShSourceTest {
    @TempDir
    Path home;

    @Test
    void rsaAndEccCertificatesOfOneDomainKeepDistinctNames() throws Exception {
        TestCertificates.Issued rsa = ClientLayouts.CA.leaf("example.test", "www.example.test")
                .keyType(TestCertificates.KeyType.RSA_2048).issue();
        TestCertificates.Issued ecc = ClientLayouts.issue("example.test", "www.example.test");
        ClientLayouts.acmeShDomain(home, "example.test", false, rsa, "www.example.test");
        ClientLayouts.acmeShDomain(home, "example.test", true, ecc, "www.example.test");
        // acme.sh's own files and directories next to the certificates.
        ClientLayouts.write(home.resolve("account.conf"), "LOG_FILE='/root/.acme.sh/acme.sh.log'\n");
        ClientLayouts.write(home.resolve("deploy/haproxy.sh"), "#!/usr/bin/env sh\n");
        ClientLayouts.write(home.resolve("ca/acme-v02.api.letsencrypt.org/directory/account.json"), "{}\n");

        List<DesiredCertificate> loaded = new AcmeShSource(home).load();

        assertThat(loaded).extracting(DesiredCertificate::name).containsExactly("example.test", "example.test_ecc");
        assertThat(loaded.get(0).bundle().serialHex()).isEqualToIgnoringCase(rsa.serialHex());
        assertThat(loaded.get(1).bundle().serialHex()).isEqualToIgnoringCase(ecc.serialHex());
        assertThat(loaded.get(1).bundle().chain()).hasSize(1);
        assertThat(loaded.get(0).requiredNames()).containsExactly("example.test", "www.example.test");
    }

    @Test
    void wildcardDirectoriesGetASafeName() throws Exception {
        ClientLayouts.acmeShDomain(home, "*.example.test", true, ClientLayouts.issue("*.example.test"), "no");

        assertThat(new AcmeShSource(home).load()).extracting(DesiredCertificate::name)
                .containsExactly("wildcard_.example.test_ecc");
    }

    @Test
    void unfinishedIssuanceIsSkippedAndAMissingKeyFails() throws Exception {
        Path pending = ClientLayouts.acmeShDomain(home, "pending.example.test", true, ClientLayouts.issue("pending.example.test"), "no");
        Files.delete(pending.resolve("fullchain.cer"));
        Path broken = ClientLayouts.acmeShDomain(home, "broken.example.test", false, ClientLayouts.issue("broken.example.test"), "no");
        Files.delete(broken.resolve("broken.example.test.key"));
        ClientLayouts.acmeShDomain(home, "ok.example.test", false, ClientLayouts.issue("ok.example.test"), "no");

        List<SourceItem> items = new AcmeShSource(home).loadEach();

        assertThat(items).extracting(SourceItem::name).containsExactly("broken.example.test", "ok.example.test", "pending.example.test_ecc");
        assertThat(items.get(0)).isInstanceOf(SourceItem.Failed.class);
        assertThat(items.get(1)).isInstanceOf(SourceItem.Loaded.class);
        assertThat(items.get(2)).isInstanceOfSatisfying(SourceItem.Skipped.class,
                s -> assertThat(s.reason()).contains("fullchain.cer"));
    }

    @Test
    void aCertificateNotCoveringItsConfiguredNamesFails() throws Exception {
        ClientLayouts.acmeShDomain(home, "a.example.test", false, ClientLayouts.issue("a.example.test"), "b.example.test");

        assertThat(new AcmeShSource(home).loadEach()).singleElement().isInstanceOf(SourceItem.Failed.class);
    }

    @Test
    void aMissingHomeIsAConfigError() {
        assertThatThrownBy(() -> new AcmeShSource(home.resolve("nope")).load()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("acme.sh home");
    }
}
