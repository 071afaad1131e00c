package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {
    @TempDir
    Path dir;

    @Test
    void everyPemBundleIsACertificateNamedAfterItsFile() throws Exception {
        TestCertificates.Issued shop = ClientLayouts.issue("shop.example.test");
        ClientLayouts.write(dir.resolve("shop.example.test.pem"), shop.haproxyPem());
        ClientLayouts.write(dir.resolve("*.example.test.pem"), ClientLayouts.issue("*.example.test").haproxyPem());
        ClientLayouts.write(dir.resolve(".shop.example.test.pem.swp"), "editor junk");
        ClientLayouts.write(dir.resolve(".hidden.pem"), "hidden");
        ClientLayouts.write(dir.resolve("shop.example.test.key"), shop.keyPkcs8Pem());
        Files.createDirectories(dir.resolve("old.pem"));

        List<DesiredCertificate> loaded = new DirectorySource(dir).load();

        assertThat(loaded).extracting(DesiredCertificate::name).containsExactly("wildcard_.example.test", "shop.example.test");
        assertThat(loaded.get(1).bundle().serialHex()).isEqualToIgnoringCase(shop.serialHex());
    }

    @Test
    void aBundleWithoutKeyAndAnUnsafeFileNameFailAlone() throws Exception {
        ClientLayouts.write(dir.resolve("ok.pem"), ClientLayouts.issue("ok.example.test").haproxyPem());
        ClientLayouts.write(dir.resolve("nokey.pem"), ClientLayouts.issue("nokey.example.test").fullchainPem());
        ClientLayouts.write(dir.resolve("-x.pem"), ClientLayouts.issue("x.example.test").haproxyPem());

        List<SourceItem> items = new DirectorySource(dir).loadEach();

        assertThat(items).extracting(i -> i.getClass().getSimpleName()).containsExactly("Failed", "Failed", "Loaded");
        assertThat(items).extracting(SourceItem::name).containsExactly("-x", "nokey", "ok");
    }

    @Test
    void twoFilesForOneNameAreRefused() throws Exception {
        ClientLayouts.write(dir.resolve("*.example.test.pem"), ClientLayouts.issue("*.example.test").haproxyPem());
        ClientLayouts.write(dir.resolve("wildcard_.example.test.pem"), ClientLayouts.issue("*.example.test").haproxyPem());

        List<SourceItem> items = new DirectorySource(dir).loadEach();

        assertThat(items).hasSize(2);
        assertThat(items).filteredOn(SourceItem.Failed.class::isInstance).singleElement()
                .satisfies(f -> assertThat(((SourceItem.Failed) f).error().getMessage()).contains("already taken"));
    }
}
