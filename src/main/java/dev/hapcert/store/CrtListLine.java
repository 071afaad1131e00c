package dev.hapcert.store;

import java.util.List;

/**
 * One certificate line of a crt-list: {@code <crtfile> [\[<sslbindconf> ...\]] [[!]<snifilter> ...]}.
 *
 * @param lineNumber 1-based line in the file (comments and blank lines count, as in HAProxy's messages)
 * @param certificate the first word as written (relative ones are resolved against crt-base by HAProxy)
 * @param sslOptions the bracketed options re-joined with single spaces, e.g. {@code [alpn h2,http/1.1]};
 *     {@code ""} when there are none
 * @param filters the SNI filters in order, negative ones with their {@code !}
 * @param raw the line exactly as in the file
 */
public record CrtListLine(int lineNumber, String certificate, String sslOptions, List<String> filters, String raw) {
    public CrtListLine {
        filters = List.copyOf(filters);
    }
}
