package dev.hapcert.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ReplyScrubberTest {
    private static final TestCertificates.Issued LEAF =
            TestCertificates.newRootCa("scrub CA").leaf("scrub.example.test").serial(java.math.BigInteger.TEN).issue();

    @Test
    void removesPemBlocksAndBase64LinesButKeepsTheMessage() {
        String key = LEAF.keyPkcs8Pem();
        String reply = "unable to load certificate from file '/etc/haproxy/certs/a.pem'.\n" + LEAF.fullchainPem() + key
                + "Can't load the payload\nCan't update /etc/haproxy/certs/a.pem!";
        String s = ReplyScrubber.scrub(reply);
        assertThat(s).contains("unable to load certificate from file '/etc/haproxy/certs/a.pem'.")
                .contains("Can't update /etc/haproxy/certs/a.pem!").contains("[redacted]")
                .doesNotContain("PRIVATE KEY").doesNotContain("BEGIN");
        assertNoKeyBytes(s, key);
    }

    @Test
    void removesAnUnterminatedPemAndBareBase64() {
        String der = Base64.getEncoder().encodeToString(LEAF.keys().getPrivate().getEncoded());
        String s = ReplyScrubber.scrub("error near line 3:\n-----BEGIN EC PRIVATE KEY-----\n" + der.substring(0, 64));
        assertThat(s).isEqualTo("error near line 3:\n[redacted]");
        String inline = ReplyScrubber.scrub("bad token '" + der + "' here");
        assertThat(inline).isEqualTo("bad token '[redacted]' here");
        assertThat(ReplyScrubber.scrub(der.substring(0, 46) + "\n" + der.substring(46))).isEqualTo("[redacted]");
    }

    @Test
    void keepsPathsFingerprintsAndSerialsReadable() {
        String reply = "Serial: 3B1FF82333DE180CD92409D9C84A5D9AF61174DB\n/etc/haproxy/certs/averyverylongdirectoryname\n"
                + "SHA1 FingerPrint: B2FC54BB0032AC0618D7D06E87E77FFA42578789";
        assertThat(ReplyScrubber.scrub(reply)).isEqualTo(reply);
    }

    @Test
    void boundsLengthAndShowsControlCharacters() {
        assertThat(ReplyScrubber.scrub("x".repeat(5000))).hasSizeLessThan(700);
        assertThat(ReplyScrubber.oneLine("a\u0000b\nc")).isEqualTo("a\\x00b c");
    }

    /** No 16-character window of the key's base64 body survives. */
    static void assertNoKeyBytes(String text, String keyPem) {
        String body = keyPem.replaceAll("-----[A-Z ]+-----", "").replace("\n", "");
        for (int i = 0; i + 16 <= body.length(); i += 8) {
            assertThat(text).doesNotContain(body.substring(i, i + 16));
        }
    }
}
