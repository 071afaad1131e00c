package dev.hapcert.cert;

import static org.junit.jupiter.api.Assertions.fail;

import dev.hapcert.testkit.TestCertificates.Issued;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Asserts that a text (an error message, a toString) carries no run of 20 characters from a private key's base64,
 * in PKCS#8 or traditional form. On failure it reports only the offset, never the text: the text may hold the key.
 */
final class KeyLeaks {
    private static final int RUN = 20;

    private KeyLeaks() {
    }

    static void assertNoKeyMaterial(String text, Issued... issued) {
        for (Issued i : issued) {
            assertNoKeyMaterial(text, i.keys().getPrivate());
            if (!i.keys().getPrivate().getAlgorithm().startsWith("Ed")) {
                assertNoBase64Run(text, base64Body(i.keyTraditionalPem()));
            }
        }
    }

    static void assertNoKeyMaterial(String text, PrivateKey key) {
        assertNoBase64Run(text, Base64.getEncoder().encodeToString(key.getEncoded()));
    }

    /** Equality of texts that hold a key; a failure reports lengths and the first differing offset, never content. */
    static void assertSameSecret(String actual, String expected) {
        if (!expected.equals(actual)) {
            fail("texts holding a key differ: lengths " + (actual == null ? -1 : actual.length()) + " and "
                    + expected.length() + ", first difference at offset " + firstDifference(actual, expected));
        }
    }

    static void assertSameSecret(byte[] actual, byte[] expected) {
        assertSameSecret(actual == null ? null : new String(actual, java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(expected, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static int firstDifference(String a, String b) {
        if (a == null) {
            return 0;
        }
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    private static void assertNoBase64Run(String text, String base64) {
        if (text == null) {
            return;
        }
        for (int i = 0; i + RUN <= base64.length(); i++) {
            if (text.contains(base64.substring(i, i + RUN))) {
                fail("text of length " + text.length() + " contains key material (base64 run at key offset " + i + ")");
            }
        }
    }

    private static String base64Body(String pem) {
        List<String> lines = new ArrayList<>();
        for (String l : pem.split("\n")) {
            if (!l.startsWith("-----") && !l.contains(":") && !l.isBlank()) {
                lines.add(l.strip());
            }
        }
        return String.join("", lines);
    }
}
