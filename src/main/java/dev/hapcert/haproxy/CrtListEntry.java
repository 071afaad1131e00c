package dev.hapcert.haproxy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a crt-list as {@code show ssl crt-list -n <list>} reports it.
 *
 * @param certificate the certificate name (path)
 * @param line        the line number HAProxy gives it, for {@code del ssl crt-list <list> <name>:<line>}; entries of a
 *                    {@code crt <dir>} directory are numbered 0
 * @param sslOptions  the text between {@code [} and {@code ]}, empty when none
 * @param sniFilters  the SNI filters after the options ({@code !name} excludes)
 */
public record CrtListEntry(String certificate, int line, String sslOptions, List<String> sniFilters) {
    public CrtListEntry {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(sslOptions, "sslOptions");
        if (certificate.isEmpty() || line < 0) {
            throw new IllegalArgumentException("a crt-list entry needs a certificate and a line number >= 0");
        }
        sniFilters = List.copyOf(sniFilters);
    }

    /** The argument {@code del ssl crt-list} takes to remove exactly this entry. */
    public String reference() {
        return certificate + ":" + line;
    }

    /**
     * Parses the reply to {@code show ssl crt-list -n <list>}. Seen on HAProxy 2.6.12:
     * <pre>
     * # /etc/haproxy/certs/crt-list2.txt
     * /etc/haproxy/certs/chain.pem:1 [alpn h2,http/1.1\0 ssl-min-ver TLSv1.2] chain.example.test !bad.example.test
     * /etc/haproxy/certs/a.pem:2
     * </pre>
     * (2.6.12 really prints a NUL byte after an {@code alpn} list; it is dropped here.) The {@code #} header is
     * skipped.
     */
    public static List<CrtListEntry> parseListing(String reply) {
        List<CrtListEntry> entries = new ArrayList<>();
        for (String raw : reply.split("\n")) {
            String line = raw.strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                entries.add(parse(line));
            }
        }
        return entries;
    }

    /**
     * The first entry for {@code certificate} in a {@code show ssl crt-list -n <list>} reply, parsing only its line.
     * A crt-list of 10,000 certificates answers in 300 KB; a deploy of one certificate should not pay for parsing
     * all of it.
     */
    public static Optional<CrtListEntry> findIn(String reply, String certificate) {
        String head = certificate + ":";
        int from = 0;
        while (true) {
            int at = reply.indexOf(head, from);
            if (at < 0) {
                return Optional.empty();
            }
            int lineEnd = reply.indexOf('\n', at);
            if (lineEnd < 0) {
                lineEnd = reply.length();
            }
            boolean lineStart = at == 0 || reply.charAt(at - 1) == '\n';
            if (lineStart) {
                CrtListEntry entry = parse(reply.substring(at, lineEnd));
                if (entry.certificate.equals(certificate)) {
                    return Optional.of(entry);
                }
            }
            from = lineEnd;
        }
    }

    /** Parses one {@code name:line [options] filters...} line. */
    public static CrtListEntry parse(String text) {
        String s = text.replace("\0", "").strip();
        int space = s.indexOf(' ');
        String head = space < 0 ? s : s.substring(0, space);
        String rest = space < 0 ? "" : s.substring(space + 1).strip();
        int colon = head.lastIndexOf(':');
        if (colon <= 0 || colon == head.length() - 1) {
            throw new HaproxyProtocolException("a crt-list entry lacks its ':<line>' (was 'show ssl crt-list' run"
                    + " without -n?): '" + ReplyScrubber.oneLine(head) + "'");
        }
        int number;
        try {
            number = Integer.parseInt(head.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new HaproxyProtocolException("a crt-list entry has a line number that is not a number: '"
                    + ReplyScrubber.oneLine(head) + "'", e);
        }
        String options = "";
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new HaproxyProtocolException("a crt-list entry opens '[' without closing it: '"
                        + ReplyScrubber.oneLine(s) + "'");
            }
            options = rest.substring(1, close).strip().replaceAll("\\s+", " ");
            rest = rest.substring(close + 1).strip();
        }
        List<String> filters = rest.isEmpty() ? List.of() : Arrays.asList(rest.split("\\s+"));
        if (number < 0) {
            throw new HaproxyProtocolException("a crt-list entry has a negative line number: '" + head + "'");
        }
        return new CrtListEntry(head.substring(0, colon), number, options, filters);
    }

    /** The first entry for a certificate, if any. */
    public static Optional<CrtListEntry> find(List<CrtListEntry> entries, String certificate) {
        return entries.stream().filter(e -> e.certificate.equals(certificate)).findFirst();
    }
}
