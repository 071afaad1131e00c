package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.InvalidInputException;
import dev.hapcert.testkit.HaproxyProcess;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How explicit files are named when no {@code --name} is given, and which names are refused. */
class FilesSourceNamingTest {
    private static final TestCertificates.Authority CA = TestCertificates.newRootCa("naming CA");

    @TempDir
    Path tmp;

    private FilesSource files(String nameOverride, String... dnsNames) throws Exception {
        TestCertificates.Issued issued = CA.leaf(dnsNames).issue();
        Path cert = tmp.resolve("fullchain.pem");
        Files.writeString(cert, issued.fullchainPem());
        Path key = tmp.resolve("privkey.pem");
        HaproxyProcess.writePrivate(key, issued.keyPkcs8Pem());
        return new FilesSource(cert, null, key, List.of(), nameOverride);
    }

    @Test
    void namedAfterTheFirstDnsName() throws Exception {
        assertThat(files(null, "shop.example.test", "www.shop.example.test").load()).singleElement()
                .extracting(DesiredCertificate::name).isEqualTo("shop.example.test");
    }

    @Test
    void aWildcardIsNamedAsEverySourceNamesIt() throws Exception {
        assertThat(files(null, "*.example.test", "example.test").load()).singleElement()
                .extracting(DesiredCertificate::name).isEqualTo("wildcard_.example.test");
    }

    @Test
    void onlyAGivenNameIsKnownBeforeTheFilesAreRead() throws Exception {
        assertThat(files("site-a", "shop.example.test").knownName()).contains("site-a");
        assertThat(files(null, "shop.example.test").knownName()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {".hidden", "-rf", "a/b", "..", "a..b", "a b", "a\nb"})
    void unsafeNamesAreRefused(String name) throws Exception {
        FilesSource source = files(name, "refused.example.test");
        assertThat(source.knownName()).as("left to load(), which says why").isEmpty();
        assertThatThrownBy(source::load).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("is not safe as a file and Runtime API name");
    }
}
