package dev.hapcert.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CertbotRenewalConfTest {

    /** Written by Debian's certbot 2.1.0 for certonly --standalone -d app.example.test -d www.example.test. */
    private static final String STANDALONE_2_1 = """
            # renew_before_expiry = 30 days
            version = 2.1.0
            archive_dir = /etc/letsencrypt/archive/app.example.test
            cert = /etc/letsencrypt/live/app.example.test/cert.pem
            privkey = /etc/letsencrypt/live/app.example.test/privkey.pem
            chain = /etc/letsencrypt/live/app.example.test/chain.pem
            fullchain = /etc/letsencrypt/live/app.example.test/fullchain.pem

            # Options used in the renewal process
            [renewalparams]
            account = c8eb1555a08a2e4cec5ed983ab352704
            http01_port = 18080
            http01_address = 127.0.0.1
            renew_hook = hapcert deploy
            config_dir = /etc/letsencrypt
            work_dir = /var/lib/letsencrypt
            logs_dir = /var/log/letsencrypt
            server = https://127.0.0.1:14000/dir
            authenticator = standalone
            key_type = ecdsa
            """;

    @Test
    void certbot2StandaloneDeclaresNoDomains() {
        assertThat(CertbotRenewalConf.parse(STANDALONE_2_1).declaredDomains()).isEmpty();
    }

    @Test
    void webrootMapKeysAreTheDomains() {
        String conf = STANDALONE_2_1.replace("authenticator = standalone", "authenticator = webroot") + """
                webroot_path = /var/www/html,
                [[webroot_map]]
                app.example.test = /var/www/html
                www.example.test = /var/www/html
                """;
        assertThat(CertbotRenewalConf.parse(conf).declaredDomains()).containsExactly("app.example.test", "www.example.test");
    }

    @Test
    void aDomainsLineInRenewalParamsWinsOverTheWebrootMap() {
        String conf = """
                version = 0.31.0
                [renewalparams]
                domains = a.example.test, "b.example.test",
                [[webroot_map]]
                a.example.test = /srv
                """;
        assertThat(CertbotRenewalConf.parse(conf).declaredDomains()).containsExactly("a.example.test", "b.example.test");
    }

    @Test
    void keysOutsideRenewalParamsAndCommentsAreIgnored() {
        String conf = """
                domains = top.example.test
                # domains = commented.example.test
                [other]
                domains = other.example.test
                [[webroot_map]]
                other-section.example.test = /srv
                """;
        assertThat(CertbotRenewalConf.parse(conf).declaredDomains()).isEmpty();
    }
}
