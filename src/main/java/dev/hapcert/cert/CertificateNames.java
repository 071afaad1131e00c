package dev.hapcert.cert;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/** Names read from certificates: DNS SANs, the subject CN, and a short safe description for messages. */
final class CertificateNames {
    private static final int SAN_DNS = 2;

    private CertificateNames() {
    }

    /** SAN DNS names, lower-case, in certificate order; the subject CN only when there is no SAN DNS name. */
    static List<String> dnsNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0)) && san.get(1) instanceof String s) {
                        String lower = s.toLowerCase(Locale.ROOT);
                        if (!names.contains(lower)) {
                            names.add(lower);
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // A SAN extension the JDK cannot parse: fall back to the CN below, and name checks will fail loudly.
        }
        if (names.isEmpty()) {
            String cn = commonName(cert);
            if (cn != null) {
                names.add(cn.toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(names);
    }

    /** The subject's (last) common name, or null. */
    static String commonName(X509Certificate cert) {
        try {
            String cn = null;
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName(X500Principal.RFC2253)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(rdn.getValue());
                }
            }
            return cn;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    /** {@code certificate #N (CN=...)}, numbered from 1 = the leaf, safe to put in a message. */
    static String describe(X509Certificate cert, int index) {
        String cn = commonName(cert);
        String who = cn != null ? "CN=" + cn : cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
        return "certificate #" + (index + 1) + " (" + printable(who) + ")";
    }

    /** Printable ASCII only and bounded length: names come from untrusted input and end up on terminals and in logs. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 100; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04X", (int) c));
            }
        }
        if (b.length() >= 100) {
            b.setLength(100);
            b.append("...");
        }
        return b.toString();
    }
}
