package dev.hapcert.haproxy;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code show ssl cert <name>} reports about one certificate store. Everything but the name and status is
 * absent for an {@link Status#EMPTY} store (after {@code new ssl cert}, before a commit).
 *
 * @param filename        the store's name; a transaction's name starts with {@code *}
 * @param status          whether a crt-list or bind line uses it
 * @param serial          the serial in upper-case hex, as HAProxy prints it (leading zeros as HAProxy keeps them)
 * @param subjectAltNames the DNS names; HAProxy 2.6 prints only DNS entries and leaves others empty
 * @param sha1Fingerprint upper-case hex without colons
 * @param chain           {@code Chain Subject}/{@code Chain Issuer} pairs, one per chain certificate, in order
 */
public record SslCertDetails(String filename, Status status, Optional<String> serial, Optional<Instant> notBefore,
                             Optional<Instant> notAfter, List<String> subjectAltNames, Optional<String> algorithm,
                             Optional<String> sha1Fingerprint, Optional<String> subject, Optional<String> issuer,
                             List<ChainCertificate> chain) {

    /** {@code Status:} as HAProxy 2.6 prints it; an unknown word becomes {@link #UNKNOWN} rather than a failure. */
    public enum Status { EMPTY, UNUSED, USED, UNKNOWN }

    public record ChainCertificate(String subject, String issuer) {
    }

    /** OpenSSL's month abbreviations in HAProxy's dates, which are always English. */
    private static final List<String> MONTHS =
            List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");

    public SslCertDetails {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(status, "status");
        subjectAltNames = List.copyOf(subjectAltNames);
        chain = List.copyOf(chain);
    }

    /**
     * The serial as a number. Compare serials this way: HAProxy prints the DER bytes in hex, so a serial whose first
     * byte is below 0x10 keeps a leading zero ({@code 0D2E...}) that {@code BigInteger.toString(16)} drops.
     */
    public Optional<BigInteger> serialNumber() {
        return serial.map(s -> new BigInteger(s, 16));
    }

    /** True for the details of an open transaction ({@code show ssl cert *name}). */
    public boolean isTransaction() {
        return filename.startsWith("*");
    }

    /**
     * Parses the reply. Seen on HAProxy 2.6.12:
     * <pre>
     * Filename: /etc/haproxy/certs/chain.pem
     * Status: Used
     * Serial: 048BE547534702D521141DDC7EC515CBFEC945ED
     * notBefore: Nov 27 21:04:17 2026 GMT
     * notAfter: Jan 26 21:04:17 2027 GMT
     * Subject Alternative Name: DNS:chain.example.test, DNS:*.chain.example.test, 
     * Algorithm: RSA2048
     * SHA1 FingerPrint: 29A62012B4D8B24569CD7A764BE4ABA303081AF3
     * Subject: /CN=chain.example.test/O=Ex Org
     * Issuer: /C=FR/O=Example Test CA/CN=Example Root
     * Chain Subject: /C=FR/O=Example Test CA/CN=Example Root
     * Chain Issuer: /C=FR/O=Example Test CA/CN=Example Root
     * OCSP Response Key: 
     * </pre>
     * (the trailing {@code ", "} stands for an IP address entry, which 2.6 does not print). Unknown fields are
     * ignored.
     *
     * @throws HaproxyProtocolException when Filename or Status is missing, a date does not parse, or the serial or
     *                                  fingerprint is not hex
     */
    public static SslCertDetails parse(String reply) {
        Map<String, String> fields = new LinkedHashMap<>();
        List<String> chainSubjects = new ArrayList<>();
        List<String> chainIssuers = new ArrayList<>();
        for (String raw : reply.split("\n")) {
            int colon = raw.indexOf(':');
            if (raw.isBlank() || colon <= 0) {
                continue;
            }
            String key = raw.substring(0, colon).strip();
            String value = raw.substring(colon + 1).strip();
            switch (key) {
                case "Chain Subject" -> chainSubjects.add(value);
                case "Chain Issuer" -> chainIssuers.add(value);
                default -> fields.putIfAbsent(key, value);
            }
        }
        String filename = required(fields, "Filename");
        Status status = parseStatus(required(fields, "Status"));
        List<ChainCertificate> chain = new ArrayList<>();
        for (int i = 0; i < chainSubjects.size(); i++) {
            chain.add(new ChainCertificate(chainSubjects.get(i), i < chainIssuers.size() ? chainIssuers.get(i) : ""));
        }
        return new SslCertDetails(filename, status,
                hex(fields, "Serial"),
                date(fields, "notBefore"),
                date(fields, "notAfter"),
                sans(fields.get("Subject Alternative Name")),
                optional(fields, "Algorithm"),
                hex(fields, "SHA1 FingerPrint"),
                optional(fields, "Subject"),
                optional(fields, "Issuer"),
                chain);
    }

    private static String required(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null || v.isEmpty()) {
            throw new HaproxyProtocolException("'show ssl cert <name>' answered without a '" + key + ":' field");
        }
        return v;
    }

    private static Optional<String> optional(Map<String, String> fields, String key) {
        String v = fields.get(key);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private static Status parseStatus(String s) {
        return switch (s) {
            case "Empty" -> Status.EMPTY;
            case "Unused" -> Status.UNUSED;
            case "Used" -> Status.USED;
            default -> Status.UNKNOWN;
        };
    }

    private static Optional<String> hex(Map<String, String> fields, String key) {
        Optional<String> v = optional(fields, key);
        if (v.isPresent() && !isHex(v.get())) {
            throw new HaproxyProtocolException("'show ssl cert <name>' answered a " + key + " that is not hex: '"
                    + ReplyScrubber.oneLine(v.get()) + "'");
        }
        return v.map(x -> x.toUpperCase(Locale.ROOT));
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /**
     * OpenSSL's {@code ASN1_TIME_print} form, {@code Nov 27 21:02:16 2026 GMT}, days below 10 space-padded
     * ({@code Sep  8 ...}). Read field by field rather than with a {@code DateTimeFormatter}: on the deploy hook's
     * path the formatter's first use loads the JDK's locale data, about 8 ms of a run that is meant to take tens.
     */
    static Optional<Instant> date(Map<String, String> fields, String key) {
        Optional<String> v = optional(fields, key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String s = v.get();
        List<String> parts = words(s);
        if (parts.size() != 5 || !parts.get(4).equals("GMT")) {
            throw new HaproxyProtocolException("'show ssl cert <name>' answered a " + key + " that is not a GMT date"
                    + " like 'Nov 27 21:02:16 2026 GMT': '" + ReplyScrubber.oneLine(s) + "'");
        }
        String time = parts.get(2);
        try {
            int month = MONTHS.indexOf(parts.get(0)) + 1;
            if (month == 0 || time.length() != 8 || time.charAt(2) != ':' || time.charAt(5) != ':') {
                throw new NumberFormatException(parts.get(0) + " " + time);
            }
            LocalDateTime t = LocalDateTime.of(Integer.parseInt(parts.get(3)), month, Integer.parseInt(parts.get(1)),
                    Integer.parseInt(time, 0, 2, 10), Integer.parseInt(time, 3, 5, 10),
                    Integer.parseInt(time, 6, 8, 10));
            return Optional.of(t.toInstant(ZoneOffset.UTC));
        } catch (NumberFormatException | DateTimeException e) {
            throw new HaproxyProtocolException("'show ssl cert <name>' answered a " + key + " that is not a date: '"
                    + ReplyScrubber.oneLine(s) + "'", e);
        }
    }

    private static List<String> words(String s) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(s.substring(start, i));
            }
        }
        return words;
    }

    private static List<String> sans(String value) {
        List<String> names = new ArrayList<>();
        if (value == null) {
            return names;
        }
        for (String part : value.split(",")) {
            String p = part.strip();
            if (p.startsWith("DNS:")) {
                names.add(p.substring(4));
            } else if (!p.isEmpty()) {
                names.add(p);
            }
        }
        return names;
    }
}
