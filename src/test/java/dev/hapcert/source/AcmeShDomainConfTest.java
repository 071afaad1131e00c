package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AcmeShDomainConfTest {

    @Test
    void mainDomainAndAltNames() {
        AcmeShDomainConf conf = AcmeShDomainConf.parse("""
                Le_Domain='example.com'
                Le_Alt='www.example.com,api.example.com'
                Le_Webroot='/var/www'
                Le_ReloadCmd='__ACME_BASE64__START_c3lzdGVtY3Rs__ACME_BASE64__END_'
                """);
        assertThat(conf.domain()).isEqualTo("example.com");
        assertThat(conf.allNames()).containsExactly("example.com", "www.example.com", "api.example.com");
    }

    @Test
    void altNoMeansNone() {
        assertThat(AcmeShDomainConf.parse("Le_Domain='*.example.com'\nLe_Alt='no'\n").allNames())
                .containsExactly("*.example.com");
    }

    @Test
    void noDomainNoNames() {
        assertThat(AcmeShDomainConf.parse("Le_Alt='www.example.com'\n").allNames()).isEmpty();
        assertThat(AcmeShDomainConf.parse("Le_Domain=''\n").domain()).isNull();
    }

    @Test
    void theLastAssignmentWinsAsInTheShell() {
        assertThat(AcmeShDomainConf.parse("Le_Domain='a.test'\nLe_Domain='b.test'\nLe_Alt='x.test'\nLe_Alt='no'\n").allNames())
                .containsExactly("b.test");
    }
}
