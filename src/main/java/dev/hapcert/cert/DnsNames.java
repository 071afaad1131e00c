package dev.hapcert.cert;

import dev.hapcert.error.InvalidInputException;
import java.util.Locale;

/**
 * DNS name syntax and certificate name matching. Required names arrive from the environment (certbot's
 * {@code RENEWED_DOMAINS}), configuration or the command line and later end up in file names and Runtime API
 * commands, so anything but a plain host name (optionally {@code *.}-prefixed) is refused here.
 */
final class DnsNames {
    private static final int MAX_LENGTH = 253;

    private DnsNames() {
    }

    /** The name lower-cased, or an error saying what is wrong with it (quoted safely). */
    static String requireValid(String name) throws InvalidInputException {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("a required name is empty: expected a DNS name such as shop.example.com");
        }
        String quoted = "'" + CertificateNames.printable(name) + "'";
        if (name.length() > MAX_LENGTH) {
            throw new InvalidInputException("required name " + quoted + " is " + name.length()
                    + " characters long; a DNS name has at most " + MAX_LENGTH);
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String host = lower.startsWith("*.") ? lower.substring(2) : lower;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c > 0x7E) {
                throw new InvalidInputException("required name " + quoted + " is not ASCII: give an"
                        + " internationalised name in its punycode form (xn--...)");
            }
        }
        String[] labels = host.split("\\.", -1);
        for (String label : labels) {
            if (!isLabel(label)) {
                throw new InvalidInputException("required name " + quoted + " is not a valid DNS name: only letters,"
                        + " digits and inner hyphens, in dot-separated labels of 1 to 63 characters, optionally"
                        + " starting with '*.'");
            }
        }
        return lower;
    }

    /**
     * Whether a certificate name covers a requested name: equal (case-insensitive), or a SAN wildcard
     * {@code *.example.com} covering exactly one more label ({@code shop.example.com}, not
     * {@code a.shop.example.com}, not {@code example.com}). A requested wildcard is covered only by the same wildcard.
     */
    static boolean covers(String certName, String requested) {
        String c = certName.toLowerCase(Locale.ROOT);
        String r = requested.toLowerCase(Locale.ROOT);
        if (c.equals(r)) {
            return true;
        }
        if (!c.startsWith("*.") || r.startsWith("*.")) {
            return false;
        }
        int dot = r.indexOf('.');
        return dot > 0 && r.substring(dot + 1).equals(c.substring(2));
    }

    /** {@code [a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?}, checked without the regex engine (see PemReader). */
    private static boolean isLabel(String label) {
        if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
            return false;
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
