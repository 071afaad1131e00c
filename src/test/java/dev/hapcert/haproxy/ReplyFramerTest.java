package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Streams as HAProxy 2.6.12 sent them in prompt mode, captured byte for byte. */
class ReplyFramerTest {
    @Test
    void workerStreamWithPayloadPromptsAndAnExtraEmptyLine() {
        String stream = "\n> New empty certificate store '/x/b.pem'!\n\n"
                + "> + + + Transaction created for certificate /x/b.pem!\n\n"
                + "> Committing /x/b.pem\nSuccess!\n\n"
                + "> Can't remove the certificate: certificate '/x/b.pem' in use, can't be deleted!\n\n\n"
                + "> # filename\n/x/a.pem\n\n> ";
        assertThat(frame(stream, false, false, true, false, false, false)).containsExactly("",
                "New empty certificate store '/x/b.pem'!", "Transaction created for certificate /x/b.pem!",
                "Committing /x/b.pem\nSuccess!",
                "Can't remove the certificate: certificate '/x/b.pem' in use, can't be deleted!",
                "# filename\n/x/a.pem");
    }

    @Test
    void masterCliStream() {
        String stream = "master> #<PID>          <type>\n5710            master          0 [failed: 0]\n# workers\n"
                + "# programs\n\nmaster> + + Transaction created for certificate /x!\n\n"
                + "master[ReloadFailed]> Name: HAProxy\n\nmaster(xe)> ok\n\n1234> x\n\n";
        List<String> r = frame(stream, false, false, true, false, false);
        assertThat(r).hasSize(5);
        assertThat(r.get(0)).isEmpty();
        assertThat(r.get(1)).startsWith("#<PID>").endsWith("# programs");
        assertThat(r.get(2)).isEqualTo("Transaction created for certificate /x!");
        assertThat(r.get(3)).isEqualTo("Name: HAProxy");
        assertThat(r.get(4)).isEqualTo("ok");
    }

    @Test
    void aMasterCliWithoutTheProcessAnswersOneLineAndItsPrompt() {
        // Seen on 3.0.11: no empty line before the prompt after this answer (2.6.12 closes the connection instead).
        String stream = "master> Can't find the target PID matching the prefix '@!999999999'\nmaster> ";
        assertThat(frame(stream, false, false)).containsExactly("",
                "Can't find the target PID matching the prefix '@!999999999'");
        // Any other one-line answer still needs its empty line.
        assertThat(frame("master> Can't find it\nmaster> x\n\nmaster> ", false, false))
                .containsExactly("", "Can't find it\nmaster> x");
    }

    @Test
    void bodyLinesThatLookLikePromptsInsideAReplyDoNotEndIt() {
        // Only a prompt after an empty line ends a reply.
        String stream = "\n> line one\n> not a prompt\n\n> ";
        assertThat(frame(stream, false, false)).containsExactly("", "line one\n> not a prompt");
    }

    @Test
    void byteByByteDeliveryGivesTheSameReplies() {
        String stream = "\n> Committing /x/\u00e9.pem\nSuccess!\n\nmaster> a\n\n> ";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        ReplyFramer f = new ReplyFramer();
        List<String> got = new ArrayList<>();
        for (byte b : bytes) {
            f.feed(new byte[] {b}, 0, 1);
            String r;
            while ((r = f.next(false)) != null) {
                got.add(r);
            }
        }
        assertThat(got).containsExactly("", "Committing /x/\u00e9.pem\nSuccess!", "a");
        assertThat(f.pending()).isZero();
    }

    @Test
    void incompleteReplyStaysPending() {
        ReplyFramer f = new ReplyFramer();
        byte[] b = "\n> Committing /x\n".getBytes(StandardCharsets.UTF_8);
        f.feed(b, 0, b.length);
        assertThat(f.next(false)).isEqualTo("");
        assertThat(f.next(false)).isNull();
        assertThat(f.pendingText()).isEqualTo("Committing /x\n");
    }

    private static List<String> frame(String stream, boolean... payload) {
        ReplyFramer f = new ReplyFramer();
        byte[] b = stream.getBytes(StandardCharsets.UTF_8);
        f.feed(b, 0, b.length);
        List<String> out = new ArrayList<>();
        int i = 0;
        String r;
        while ((r = f.next(i < payload.length ? payload[i] : false)) != null) {
            out.add(r);
            i++;
        }
        return out;
    }
}
