package dev.hapcert.cert;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Certificate facts spelled exactly as HAProxy 2.6 prints them in {@code show ssl cert <name>}, so a value computed
 * here can be compared with a Runtime API reply as a plain string. Checked against a real HAProxy 2.6.12
 * (captured replies under the test resources, folder {@code haproxy-2.6}):
 * <pre>
 * Serial: 8F1E2D3C4B5A69788796A5B4C3D2E1F0
 * Algorithm: EC256
 * SHA1 FingerPrint: 8F3F462B9F070947445E392BDC7C0F513A38B8DE
 * </pre>
 * Usable on any certificate, for instance the one a TLS handshake returned, not only on a {@link Bundle}.
 */
public final class HaproxyCertFormat {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private HaproxyCertFormat() {
    }

    /**
     * The serial as HAProxy prints it: the unsigned magnitude in whole bytes, upper-case hex. HAProxy prints the
     * content of OpenSSL's ASN1_INTEGER, which holds the magnitude without the DER sign byte: a serial whose DER
     * content is {@code 00 8F 1E ...} is printed {@code 8F1E...}, while {@code 0A 1B 2C 3D} keeps its leading zero
     * nibble ({@code 0A1B2C3D}).
     */
    public static String serial(X509Certificate cert) {
        return serial(cert.getSerialNumber());
    }

    static String serial(BigInteger serial) {
        byte[] bytes = serial.abs().toByteArray();
        int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        return HEX.formatHex(bytes, start, bytes.length);
    }

    /** SHA-1 over the certificate's DER, upper-case hex without separators ({@code SHA1 FingerPrint:}). */
    public static String sha1Fingerprint(X509Certificate cert) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 or certificate encoding unavailable", e);
        }
    }

    /**
     * The key as HAProxy's {@code Algorithm:} line names it: {@code EC256}, {@code EC384}, {@code RSA2048},
     * {@code RSA4096}. For Ed25519 this returns {@code ED25519}, but HAProxy 2.6.12 prints an empty
     * {@code Algorithm:} for such a certificate and then omits the rest of the detail (fingerprint, subject,
     * issuer, chain): a reply parser must not expect those lines for Ed25519.
     */
    public static String keyDescription(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return "RSA" + rsa.getModulus().bitLength();
        }
        if (key instanceof ECPublicKey ec) {
            // OpenSSL's EVP_PKEY_bits for EC is the bit length of the group order: 256, 384, 521.
            return "EC" + ec.getParams().getOrder().bitLength();
        }
        if (key instanceof EdECPublicKey ed) {
            return ed.getParams().getName().toUpperCase(Locale.ROOT);
        }
        return key.getAlgorithm().toUpperCase(Locale.ROOT);
    }
}
