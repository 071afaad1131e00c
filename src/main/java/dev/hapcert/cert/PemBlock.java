package dev.hapcert.cert;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * One decoded PEM block: its label ({@code CERTIFICATE}, {@code PRIVATE KEY}, ...) and the DER bytes inside.
 * The bytes may be a private key, so they are copied in and out and never shown by {@link #toString()}.
 */
public record PemBlock(String label, byte[] der) {
    private static final Base64.Encoder PEM_BASE64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

    public PemBlock {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(der, "der");
        if (label.isBlank()) {
            throw new IllegalArgumentException("PEM label must not be blank");
        }
        der = der.clone();
    }

    @Override
    public byte[] der() {
        return der.clone();
    }

    /** Canonical PEM: 64-column base64, LF line ends, final newline, no headers. */
    public String toPem() {
        return "-----BEGIN " + label + "-----\n" + PEM_BASE64.encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    /** Same bytes as {@link #toPem()}, US-ASCII encoded. */
    byte[] toPemBytes() {
        return toPem().getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PemBlock other && label.equals(other.label) && Arrays.equals(der, other.der);
    }

    @Override
    public int hashCode() {
        return 31 * label.hashCode() + Arrays.hashCode(der);
    }

    /** Label and size only: the content may be a private key. */
    @Override
    public String toString() {
        return "PemBlock[" + label + ", " + der.length + " bytes]";
    }
}
