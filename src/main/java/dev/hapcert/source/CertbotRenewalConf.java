package dev.hapcert.source;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What hapcert needs from a certbot renewal configuration ({@code renewal/<lineage>.conf}, configobj syntax): the
 * domains it declares, if any. Certbot 2.x writes none for most authenticators (it reads them from the
 * certificate); it writes them as the keys of {@code [[webroot_map]]} for the webroot plugin, and some versions and
 * hand-edited files carry a {@code domains = a, b} line in {@code [renewalparams]}. Everything else is ignored:
 * certbot itself is the authority on this file, hapcert only looks.
 *
 * <p>A file certbot 2.1 wrote for {@code certonly --standalone -d app.example.test}:
 * <pre>
 * # renew_before_expiry = 30 days
 * version = 2.1.0
 * archive_dir = /etc/letsencrypt/archive/app.example.test
 * cert = /etc/letsencrypt/live/app.example.test/cert.pem
 * ...
 * [renewalparams]
 * account = c8eb1555a08a2e4cec5ed983ab352704
 * authenticator = standalone
 * key_type = ecdsa
 * </pre>
 *
 * @param declaredDomains the declared domains in file order without duplicates; empty when the file has none
 */
public record CertbotRenewalConf(List<String> declaredDomains) {
    public CertbotRenewalConf {
        declaredDomains = List.copyOf(declaredDomains);
    }

    /** Parses the file's text; never fails, since unknown or odd lines are certbot's business. */
    public static CertbotRenewalConf parse(String text) {
        Set<String> fromWebroot = new LinkedHashSet<>();
        Set<String> fromDomainsKey = new LinkedHashSet<>();
        String section = "";
        String subsection = "";
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[[") && line.endsWith("]]")) {
                subsection = line.substring(2, line.length() - 2).strip();
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
                subsection = "";
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = unquote(line.substring(0, eq).strip());
            String value = line.substring(eq + 1).strip();
            if (section.equals("renewalparams") && subsection.equals("webroot_map")) {
                fromWebroot.add(key);
            } else if (section.equals("renewalparams") && subsection.isEmpty() && key.equals("domains")) {
                Arrays.stream(value.split(",")).map(String::strip).map(CertbotRenewalConf::unquote)
                        .filter(s -> !s.isEmpty()).forEach(fromDomainsKey::add);
            }
        }
        // An explicit domains line is the whole list; a webroot map may be partial after edits, but is all there is.
        List<String> domains = new ArrayList<>(fromDomainsKey.isEmpty() ? fromWebroot : fromDomainsKey);
        return new CertbotRenewalConf(domains);
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
