package dev.hapcert.haproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The answer to {@code show ssl cert}: every certificate store HAProxy knows and the open transaction, if any.
 *
 * @param certificates the names under {@code # filename}, as HAProxy built them (paths)
 * @param transactions the names under {@code # transaction}, without the {@code *}; HAProxy 2.6 has at most one
 */
public record SslCertListing(List<String> certificates, List<String> transactions) {
    /** The line that starts the store list, after the open transactions. */
    public static final String STORES_HEADER = "# filename";

    public SslCertListing {
        certificates = List.copyOf(certificates);
        transactions = List.copyOf(transactions);
    }

    /** The name of the open certificate transaction, if one is open (it survives the connection that opened it). */
    public Optional<String> openTransaction() {
        return transactions.stream().findFirst();
    }

    public boolean contains(String name) {
        return certificates.contains(name);
    }

    /**
     * Only the open transactions of a {@code show ssl cert} reply. Without a {@code # transaction} section (the
     * usual case) nothing is parsed, which matters when HAProxy lists 10,000 certificates.
     */
    public static List<String> transactionsIn(String reply) {
        if (!reply.contains("# transaction")) {
            return List.of();
        }
        return parse(reply).transactions();
    }

    /**
     * Parses the reply. Seen on HAProxy 2.6.12 with a transaction open:
     * <pre>
     * # transaction
     * *&#47;etc/haproxy/certs/a.pem
     * # filename
     * /etc/haproxy/certs/a.pem
     * /etc/haproxy/certs/default.pem
     * </pre>
     * Unknown {@code # section}s are skipped, so a later HAProxy may add some.
     *
     * @throws HaproxyProtocolException when a name appears before any section or a transaction lacks its {@code *}
     */
    public static SslCertListing parse(String reply) {
        List<String> certs = new ArrayList<>();
        List<String> tx = new ArrayList<>();
        String section = null;
        for (String raw : reply.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                section = line.substring(1).strip();
                continue;
            }
            if (section == null) {
                throw new HaproxyProtocolException("'show ssl cert' answered a name outside any '# section': '"
                        + ReplyScrubber.oneLine(line) + "'");
            }
            switch (section) {
                case "filename" -> certs.add(line);
                case "transaction" -> {
                    if (!line.startsWith("*") || line.length() == 1) {
                        throw new HaproxyProtocolException("'show ssl cert' listed a transaction without its '*': '"
                                + ReplyScrubber.oneLine(line) + "'");
                    }
                    tx.add(line.substring(1));
                }
                default -> {
                    // A section this version does not know; tolerated.
                }
            }
        }
        return new SslCertListing(certs, tx);
    }
}
