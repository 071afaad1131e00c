package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The shortcuts taken for replies that list 10,000 certificates answer exactly what the full parses answer.
 * Listings are shaped like HAProxy 2.6.12's (see {@link CrtListEntry#parseListing} and {@link SslCertListing#parse}).
 */
class LargeReplyPathsTest {
    private static final String CRT_LIST = "# /etc/haproxy/crt-list.txt\n"
            + "/etc/haproxy/certs/a.pem:1\n"
            + "/etc/haproxy/certs/chain.pem:2 [alpn h2,http/1.1\0 ssl-min-ver TLSv1.2] chain.example.test !bad.example.test\n"
            + "/x/etc/haproxy/certs/b.pem:3\n"
            + "/etc/haproxy/certs/b.pem.old:4\n"
            + "/etc/haproxy/certs/b.pem:5 [ocsp-update on]\n"
            + "/etc/haproxy/certs/a.pem:6 second.example.test";

    static Stream<String> names() {
        return Stream.of("/etc/haproxy/certs/a.pem", "/etc/haproxy/certs/chain.pem", "/etc/haproxy/certs/b.pem",
                "/etc/haproxy/certs/b.pem.old", "/x/etc/haproxy/certs/b.pem", "/etc/haproxy/certs/missing.pem",
                "haproxy/certs/a.pem", "/etc/haproxy/certs/a");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void findInAnswersLikeTheFullListing(String name) {
        assertThat(CrtListEntry.findIn(CRT_LIST, name)).isEqualTo(CrtListEntry.find(CrtListEntry.parseListing(CRT_LIST), name));
    }

    @Test
    void transactionsInAnswersLikeTheFullParse() {
        String none = "# filename\n/x/a.pem\n/x/b.pem";
        String open = "# transaction\n*/x/a.pem\n# filename\n/x/a.pem\n/x/b.pem";
        assertThat(SslCertListing.transactionsIn(none)).isEqualTo(SslCertListing.parse(none).transactions()).isEmpty();
        assertThat(SslCertListing.transactionsIn(open)).isEqualTo(SslCertListing.parse(open).transactions())
                .containsExactly("/x/a.pem");
    }

    static Stream<String> replies() {
        return Stream.of("", "\n", "Success!", "Committing /x\n.\nSuccess!", "Committing /x\nSuccess!\n\n",
                "a\n  \n", "  last with spaces  \n\n\n", "only\n\n\nlines\n \n", CRT_LIST);
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("replies")
    void lastLineIsTheLastNonBlankLineStripped(String text) {
        String expected = "";
        for (String line : text.split("\n", -1)) {
            if (!line.isBlank()) {
                expected = line.strip();
            }
        }
        assertThat(new Reply(Command.of("show", "info"), text).lastLine()).isEqualTo(expected);
    }

    @Test
    void framerCutsALargeReplyArrivingInSmallPiecesOnce() {
        StringBuilder listing = new StringBuilder("# filename");
        for (int i = 0; i < 10_000; i++) {
            listing.append("\n/etc/haproxy/certs/site-").append(i).append(".pem");
        }
        byte[] stream = ("\n> " + listing + "\n\n> Success!\n\n> ").getBytes(StandardCharsets.UTF_8);
        ReplyFramer framer = new ReplyFramer();
        List<String> replies = new ArrayList<>();
        // Pieces of odd sizes, so prompts and empty lines are split across reads.
        for (int at = 0; at < stream.length; at += 997) {
            framer.feed(stream, at, Math.min(997, stream.length - at));
            String r;
            while ((r = framer.next(false)) != null) {
                replies.add(r);
            }
        }
        assertThat(replies).containsExactly("", listing.toString(), "Success!");
        assertThat(framer.pending()).isZero();
    }
}
