package dev.hapcert.cert;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;

/**
 * Whether one certificate names another as its issuer by key identifier: the subject's Authority Key Identifier
 * against the issuer's Subject Key Identifier, the way TLS clients and OpenSSL pick a certificate's issuer when they
 * build a chain. Every public CA sets both. Comparing them tells a misordered or unrelated chain apart without a
 * signature verification, which on a cold JVM costs more than the rest of reading a bundle.
 */
final class KeyIdentifiers {
    private static final String SUBJECT_KEY_ID = "2.5.29.14";
    private static final String AUTHORITY_KEY_ID = "2.5.29.35";

    private KeyIdentifiers() {
    }

    /** True or false when both identifiers are present and readable; empty when a signature check must decide. */
    static Optional<Boolean> issuedBy(X509Certificate subject, X509Certificate issuer) {
        Optional<byte[]> authority = authorityKeyId(subject);
        Optional<byte[]> own = subjectKeyId(issuer);
        if (authority.isEmpty() || own.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Arrays.equals(authority.get(), own.get()));
    }

    /** The certificate's own key identifier, when it has a readable one. */
    static Optional<byte[]> subjectKeyId(X509Certificate certificate) {
        return subjectKeyId(certificate.getExtensionValue(SUBJECT_KEY_ID));
    }

    /** The key identifier of the certificate's issuer, when it names one. */
    static Optional<byte[]> authorityKeyId(X509Certificate certificate) {
        return authorityKeyId(certificate.getExtensionValue(AUTHORITY_KEY_ID));
    }

    /** extnValue OCTET STRING { KeyIdentifier OCTET STRING }. */
    static Optional<byte[]> subjectKeyId(byte[] extension) {
        byte[] inner = value(extension, 0, 0x04);
        return Optional.ofNullable(inner == null ? null : value(inner, 0, 0x04));
    }

    /** extnValue OCTET STRING { SEQUENCE { [0] IMPLICIT KeyIdentifier OPTIONAL, ... } }. */
    static Optional<byte[]> authorityKeyId(byte[] extension) {
        byte[] inner = value(extension, 0, 0x04);
        byte[] sequence = inner == null ? null : value(inner, 0, 0x30);
        if (sequence == null || sequence.length == 0 || (sequence[0] & 0xFF) != 0x80) {
            return Optional.empty();
        }
        return Optional.ofNullable(value(sequence, 0, 0x80));
    }

    /** The value of the DER element at {@code at} if it has {@code tag} and fits; null otherwise. */
    private static byte[] value(byte[] der, int at, int tag) {
        if (der == null || der.length < at + 2 || (der[at] & 0xFF) != tag) {
            return null;
        }
        int length = der[at + 1] & 0xFF;
        int start = at + 2;
        if (length >= 0x80) {
            int count = length & 0x7F;
            if (count < 1 || count > 3 || start + count > der.length) {
                return null;
            }
            length = 0;
            for (int i = 0; i < count; i++) {
                length = (length << 8) | (der[start + i] & 0xFF);
            }
            start += count;
        }
        if (length > der.length - start) {
            return null;
        }
        return Arrays.copyOfRange(der, start, start + length);
    }
}
