package dev.hapcert.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.install.CertbotVersion;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which HAProxy and certbot versions doctor accepts, warns about or fails, from the version strings they print. */
class VersionCheckTest {
    @Test
    void haproxyVersionsByCertificateCommands() {
        assertThat(VersionCheck.judge("t", "2.6.12-1+deb12u4").severity()).isEqualTo(Severity.OK);
        assertThat(VersionCheck.judge("t", "2.6.12-1+deb12u4").message()).contains("dump ssl cert needs 3.1");
        assertThat(VersionCheck.judge("t", "3.1-dev5").message()).contains(", dump ssl cert").doesNotContain("needs");
        assertThat(VersionCheck.judge("t", "2.2.0").severity()).isEqualTo(Severity.OK);
        Finding old = VersionCheck.judge("t", "2.1.12");
        assertThat(old.severity()).isEqualTo(Severity.WARN);
        assertThat(old.message()).contains("cannot add new ones");
        assertThat(VersionCheck.judge("t", "2.0.33").severity()).isEqualTo(Severity.FAIL);
        assertThat(VersionCheck.judge("t", "1.8.30").severity()).isEqualTo(Severity.FAIL);
        assertThat(VersionCheck.judge("t", "10.0").severity()).isEqualTo(Severity.OK);
        assertThat(VersionCheck.judge("t", "banana").severity()).isEqualTo(Severity.WARN);
    }

    @Test
    void certbotVersionsAndFirstIssuanceHooks() {
        assertThat(CertbotVersion.parse("certbot 2.1.0\n")).contains(new CertbotVersion(2, 1, 0));
        assertThat(CertbotVersion.parse("certbot 5.3")).contains(new CertbotVersion(5, 3, 0));
        assertThat(CertbotVersion.parse("nonsense")).isEmpty();
        assertThat(new CertbotVersion(5, 2, 9).runsDirectoryHooksOnFirstIssuance()).isFalse();
        assertThat(new CertbotVersion(5, 3, 0).runsDirectoryHooksOnFirstIssuance()).isTrue();
        assertThat(new CertbotVersion(6, 0, 0).runsDirectoryHooksOnFirstIssuance()).isTrue();
        assertThat(CertbotVersionCheck.judge(new CertbotVersion(2, 1, 0), Path.of("/etc/le")).fix())
                .contains("hapcert sync --source certbot:/etc/le");
        assertThat(CertbotVersionCheck.judge(new CertbotVersion(5, 3, 1), Path.of("/etc/le")).severity()).isEqualTo(Severity.OK);
        assertThat(CertbotVersion.detect("hapcert-test-no-such-certbot", java.time.Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void findingsOtherThanOkMustCarryAFix() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Finding.warn("x", "t", "m", " "))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
