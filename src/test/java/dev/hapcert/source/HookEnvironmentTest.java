package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.InvalidInputException;
import dev.hapcert.testkit.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HookEnvironmentTest {
    @TempDir
    Path tmp;

    private static DesiredCertificate loadOne(CertificateSource source) throws Exception {
        List<DesiredCertificate> loaded = source.load();
        assertThat(loaded).hasSize(1);
        return loaded.get(0);
    }

    @Test
    void noClientVariablesNoSource() throws Exception {
        assertThat(HookEnvironment.detect(Map.of("PATH", "/usr/bin", "LEGO_CA_CERTIFICATES", "/ca.pem"), null)).isEmpty();
    }

    @Test
    void certbot() throws Exception {
        TestCertificates.Issued cert = ClientLayouts.issue("a.example.test", "b.example.test");
        Path live = ClientLayouts.certbotLineage(tmp, "a.example.test", cert, "");

        CertificateSource source = HookEnvironment.detect(Map.of("RENEWED_LINEAGE", live.toString(),
                "RENEWED_DOMAINS", "a.example.test b.example.test"), null).orElseThrow();

        DesiredCertificate c = loadOne(source);
        assertThat(c.name()).isEqualTo("a.example.test");
        assertThat(c.requiredNames()).containsExactly("a.example.test", "b.example.test");
        assertThat(source.knownName()).as("known before reading, for the hook's prepared deploy").contains(c.name());
    }

    @Test
    void lego4NamesTheCertificateAfterItsFile() throws Exception {
        TestCertificates.Issued cert = ClientLayouts.issue("*.example.test");
        Path crt = ClientLayouts.legoCertificate(tmp, "_.example.test", cert, false);

        CertificateSource source = HookEnvironment.detect(Map.of("LEGO_CERT_PATH", crt.toString(),
                "LEGO_CERT_KEY_PATH", tmp.resolve("certificates/_.example.test.key").toString(),
                "LEGO_CERT_DOMAIN", "*.example.test", "LEGO_ACCOUNT_EMAIL", "ops@example.org"), null).orElseThrow();

        DesiredCertificate c = loadOne(source);
        assertThat(c.name()).isEqualTo("wildcard_.example.test");
        assertThat(source.knownName()).contains(c.name());
        assertThat(c.requiredNames()).containsExactly("*.example.test");
        assertThat(c.bundle().serialHex()).isEqualToIgnoringCase(cert.serialHex());
    }

    @Test
    void lego5TakesAllDomainsAndTheNameOverride() throws Exception {
        TestCertificates.Issued cert = ClientLayouts.issue("a.example.test", "b.example.test");
        Path crt = ClientLayouts.legoCertificate(tmp, "a.example.test", cert, true);

        CertificateSource source = HookEnvironment.detect(Map.of("LEGO_HOOK_CERT_PATH", crt.toString(),
                "LEGO_HOOK_CERT_KEY_PATH", tmp.resolve("certificates/a.example.test.key").toString(),
                "LEGO_HOOK_CERT_DOMAINS", "a.example.test,b.example.test",
                "LEGO_HOOK_ISSUER_CERT_PATH", tmp.resolve("certificates/a.example.test.issuer.crt").toString()),
                "site-a").orElseThrow();

        DesiredCertificate c = loadOne(source);
        assertThat(c.name()).isEqualTo("site-a");
        assertThat(source.knownName()).contains(c.name());
        assertThat(c.requiredNames()).containsExactly("a.example.test", "b.example.test");
        assertThat(c.bundle().chain()).as("the issuer file completes a --no-bundle certificate").hasSize(1);
    }

    @Test
    void acmeShReloadCommandEnvironment() throws Exception {
        Path dir = ClientLayouts.acmeShDomain(tmp, "example.test", true, ClientLayouts.issue("example.test"), "no");

        CertificateSource source = HookEnvironment.detect(Map.of("Le_Domain", "example.test",
                "CERT_PATH", dir.resolve("example.test.cer").toString(),
                "CERT_KEY_PATH", dir.resolve("example.test.key").toString(),
                "CA_CERT_PATH", dir.resolve("ca.cer").toString(),
                "CERT_FULLCHAIN_PATH", dir.resolve("fullchain.cer").toString()), null).orElseThrow();

        assertThat(loadOne(source).name()).isEqualTo(new AcmeShSource(tmp).load().get(0).name()).isEqualTo("example.test_ecc");
        assertThat(source.knownName()).contains("example.test_ecc");
    }

    @Test
    void unusableVariablesSayWhatIsMissing() {
        assertThatThrownBy(() -> HookEnvironment.detect(Map.of("RENEWED_LINEAGE", " "), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("RENEWED_LINEAGE is set but empty");
        assertThatThrownBy(() -> HookEnvironment.detect(Map.of("LEGO_CERT_PATH", "/x.crt"), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("LEGO_CERT_KEY_PATH is not set");
        assertThatThrownBy(() -> HookEnvironment.detect(Map.of("LEGO_HOOK_CERT_PATH", "/x.crt", "LEGO_HOOK_CERT_KEY_PATH", ""), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("LEGO_HOOK_CERT_KEY_PATH is set but empty");
        assertThatThrownBy(() -> HookEnvironment.detect(Map.of("Le_Domain", "example.test"), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("CERT_FULLCHAIN_PATH");
    }

    @Test
    void twoClientsAtOnceIsAmbiguous() {
        assertThatThrownBy(() -> HookEnvironment.detect(Map.of("RENEWED_LINEAGE", "/etc/letsencrypt/live/a",
                "LEGO_CERT_PATH", "/x.crt", "LEGO_CERT_KEY_PATH", "/x.key"), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("more than one")
                .hasMessageContaining("RENEWED_LINEAGE").hasMessageContaining("LEGO_CERT_PATH");
    }

    @Test
    void noArgumentsNoHookCall() throws Exception {
        assertThat(HookEnvironment.detectArguments(List.of(), null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy_challenge", "clean_challenge", "sync_cert", "deploy_ocsp", "unchanged_cert",
        "invalid_challenge", "request_failure", "generate_csr", "startup_hook", "exit_hook",
        "this_hookscript_is_broken__dehydrated_is_working_fine__please_ignore_unknown_hooks_in_your_script",
        "some_future_event"})
    void otherDehydratedEventsAreIgnored(String event) throws Exception {
        assertThat(HookEnvironment.detectArguments(List.of(event, "example.test", "token", "value"), null))
                .get().isInstanceOf(HookRequest.Ignore.class);
    }

    @Test
    void deployCertNeedsItsArguments() {
        assertThatThrownBy(() -> HookEnvironment.detectArguments(List.of("deploy_cert", "example.test", "/k.pem"), null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("FULLCHAINFILE");
        assertThatThrownBy(() -> HookEnvironment.detectArguments(List.of("deploy_cert", "example.test", "", "/c", "/f", "/ch", "1"), null))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void deployCertWithoutTimestampAsOlderDehydratedCallsIt() throws Exception {
        Path dir = ClientLayouts.dehydratedCertificate(tmp, "example.test", ClientLayouts.issue("example.test"));
        HookRequest request = HookEnvironment.detectArguments(List.of("deploy_cert", "example.test",
                dir.resolve("privkey.pem").toString(), dir.resolve("cert.pem").toString(),
                dir.resolve("fullchain.pem").toString(), dir.resolve("chain.pem").toString()), null).orElseThrow();

        assertThat(loadOne(((HookRequest.Deploy) request).source()).requiredNames()).containsExactly("example.test");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/ssl/cert.pem", "Deploy_Cert", "cert.pem", "--"})
    void argumentsThatAreNoHookCallAreRefused(String argument) {
        assertThatThrownBy(() -> HookEnvironment.detectArguments(List.of(argument), null))
                .isInstanceOf(dev.hapcert.error.UsageException.class).hasMessageContaining("--fullchain");
    }
}
