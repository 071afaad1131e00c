package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DehydratedSourceTest {
    @TempDir
    Path base;

    @Test
    void everyCertificateDirectoryIsOneCertificateNamedAfterIt() throws Exception {
        TestCertificates.Issued plain = ClientLayouts.issue("example.test", "www.example.test");
        TestCertificates.Issued aliased = ClientLayouts.issue("*.example.test");
        ClientLayouts.dehydratedCertificate(base, "example.test", plain);
        ClientLayouts.dehydratedCertificate(base, "star_example_test", aliased);
        Files.createDirectories(base.resolve("certs/new.example.test"));
        ClientLayouts.write(base.resolve("domains.txt"), "example.test www.example.test\n*.example.test > star_example_test\n");

        List<SourceItem> items = new DehydratedSource(base).loadEach();

        assertThat(items).extracting(SourceItem::name).containsExactly("example.test", "new.example.test", "star_example_test");
        assertThat(items.get(0)).isInstanceOfSatisfying(SourceItem.Loaded.class, l -> {
            assertThat(l.certificate().bundle().serialHex()).isEqualToIgnoringCase(plain.serialHex());
            assertThat(l.certificate().bundle().chain()).hasSize(1);
        });
        assertThat(items.get(1)).isInstanceOf(SourceItem.Skipped.class);
        assertThat(items.get(2)).isInstanceOf(SourceItem.Loaded.class);
    }

    @Test
    void theSourceAndTheDeployCertHookNameACertificateAlike() throws Exception {
        Path dir = ClientLayouts.dehydratedCertificate(base, "example.test", ClientLayouts.issue("example.test"));
        HookRequest request = HookEnvironment.detectArguments(List.of("deploy_cert", "example.test",
                dir.resolve("privkey.pem").toString(), dir.resolve("cert.pem").toString(),
                dir.resolve("fullchain.pem").toString(), dir.resolve("chain.pem").toString(), "1700000000"), null).orElseThrow();

        DesiredCertificate fromHook = ((HookRequest.Deploy) request).source().load().get(0);
        DesiredCertificate fromStore = new DehydratedSource(base).load().get(0);

        assertThat(fromHook.name()).isEqualTo(fromStore.name()).isEqualTo("example.test");
        assertThat(fromHook.bundle().serialHex()).isEqualTo(fromStore.bundle().serialHex());
    }
}
