package dev.hapcert.haproxy.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.haproxy.BatchTransport;
import dev.hapcert.haproxy.Command;
import dev.hapcert.haproxy.Reply;
import dev.hapcert.haproxy.RuntimeApiAddress;
import dev.hapcert.haproxy.RuntimeApiClient;
import dev.hapcert.haproxy.RuntimeApiTimeouts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exec transport's framing on HAProxy 2.6.12's own bytes (captured through socat in a container): one stream
 * per exchange with prompt, the commands and quit; replies cut apart; a stream cut short is an error.
 */
class BatchTransportTest {
    private static final RuntimeApiAddress INSIDE = RuntimeApiAddress.unix(Path.of("/tmp/admin.sock"));
    private final List<String> streams = new ArrayList<>();

    private BatchTransport answering(String answer) {
        return new BatchTransport(INSIDE, "unix@/tmp/admin.sock in container t", stream -> {
            streams.add(new String(stream, StandardCharsets.UTF_8));
            return answer.getBytes(StandardCharsets.UTF_8);
        }, () -> { });
    }

    @Test
    void sendsPromptCommandsAndQuitInOneStreamAndSplitsTheReplies() throws Exception {
        BatchTransport t = answering("\n> New empty certificate store '/x/b.pem'!\n\n> + + Transaction created for"
                + " certificate /x/b.pem!\n\n> ");
        List<Reply> replies = t.exchange(List.of(Command.of("new", "ssl", "cert", "/x/b.pem"),
                Command.withPayload("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "set", "ssl", "cert", "/x/b.pem")));
        assertThat(streams).containsExactly("prompt\nnew ssl cert /x/b.pem\nset ssl cert /x/b.pem <<\n"
                + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\nquit\n");
        assertThat(replies).extracting(Reply::text).containsExactly("New empty certificate store '/x/b.pem'!",
                "Transaction created for certificate /x/b.pem!");
    }

    @Test
    void aStreamCutShortNamesThePayloadAndShowsNoneOfIt() {
        BatchTransport t = answering("\n> + + ");
        assertThatThrownBy(() -> t.exchange(List.of(Command.withPayload("SECRETKEYLINE", "set", "ssl", "cert", "/x/b.pem"))))
                .isInstanceOf(HaproxyUnreachableException.class).hasMessageContaining("tune.bufsize")
                .hasMessageContaining("after 0 of 1 replies").hasMessageNotContaining("SECRETKEYLINE");
    }

    @Test
    void somethingThatIsNotARuntimeApiIsNamed() {
        BatchTransport t = answering("Unknown command. Please enter one of the following commands only");
        assertThatThrownBy(() -> t.exchange(List.of(Command.of("show", "info"))))
                .isInstanceOf(HaproxyUnreachableException.class).hasMessageContaining("did not answer 'prompt'");
    }

    @Test
    void readAheadAnswersTheSameShowCommandsOnceAndNothingElse() throws Exception {
        RuntimeApiClient client = RuntimeApiClient.over(answering("\n> # filename\n/x/a.pem\n\n> # transaction\n\n> "),
                RuntimeApiTimeouts.DEFAULT);
        client.readAhead(List.of(Command.of("show", "ssl", "cert"), Command.of("show", "ssl", "cert", "/x/a.pem")));
        assertThat(streams).hasSize(1);
        assertThat(client.showSslCerts().certificates()).containsExactly("/x/a.pem");
        assertThat(streams).as("answered from what was read ahead").hasSize(1);
        client.showSslCerts(); // used once only: this one goes out again
        assertThat(streams).hasSize(2);
        assertThatThrownBy(() -> client.readAhead(List.of(Command.of("commit", "ssl", "cert", "/x/a.pem"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
