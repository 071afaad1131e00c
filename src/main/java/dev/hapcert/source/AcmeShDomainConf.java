package dev.hapcert.source;

import java.util.ArrayList;
import java.util.List;

/**
 * What hapcert needs from an acme.sh domain configuration ({@code <home>/<domain>/<domain>.conf}): the main domain
 * and the alternative names, which acme.sh saves as shell assignments with single-quoted values:
 * <pre>
 * Le_Domain='example.com'
 * Le_Alt='www.example.com,api.example.com'
 * Le_Keylength='ec-256'
 * </pre>
 * {@code Le_Alt='no'} means no alternative names. Other keys are acme.sh's business and ignored.
 *
 * @param domain {@code Le_Domain}, or null when the file has none
 * @param altNames {@code Le_Alt} split on commas, without "no"
 */
public record AcmeShDomainConf(String domain, List<String> altNames) {
    public AcmeShDomainConf {
        altNames = List.copyOf(altNames);
    }

    public static AcmeShDomainConf parse(String text) {
        String domain = null;
        List<String> alt = new ArrayList<>();
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("Le_Domain=")) {
                domain = unquote(line.substring("Le_Domain=".length()));
            } else if (line.startsWith("Le_Alt=")) {
                alt.clear();
                String value = unquote(line.substring("Le_Alt=".length()));
                if (!value.equals("no")) {
                    for (String name : value.split(",")) {
                        if (!name.isBlank()) {
                            alt.add(name.strip());
                        }
                    }
                }
            }
        }
        return new AcmeShDomainConf(domain == null || domain.isBlank() ? null : domain, alt);
    }

    /** The main domain followed by the alternative names; empty when the file names no domain. */
    public List<String> allNames() {
        if (domain == null) {
            return List.of();
        }
        List<String> all = new ArrayList<>();
        all.add(domain);
        altNames.stream().filter(name -> !all.contains(name)).forEach(all::add);
        return List.copyOf(all);
    }

    private static String unquote(String s) {
        String v = s.strip();
        if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
