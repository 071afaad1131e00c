package dev.hapcert.cert;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads just enough DER of a PKCS#8 PrivateKeyInfo to name its key algorithm and, for EC, its curve:
 * {@code SEQUENCE { INTEGER version, SEQUENCE { OID algorithm, params }, OCTET STRING key, ... }}.
 * Knowing the algorithm up front gives a precise error for DSA, X25519 or an unknown algorithm instead of trying
 * every JDK KeyFactory and reporting whichever failure came last.
 */
record Pkcs8Header(String algorithmOid, String curveOid) {
    /** Thrown for anything that is not a well-formed PrivateKeyInfo prefix; carries no content. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException() {
            super("malformed PKCS#8 structure", null, false, false);
        }
    }

    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OID = 0x06;
    private static final int OCTET_STRING = 0x04;
    private static final int BIT_STRING = 0x03;
    private static final int PARAMETERS_TAG = 0xA0;
    private static final int PUBLIC_KEY_TAG = 0xA1;

    static Pkcs8Header parse(byte[] der) throws MalformedException {
        Cursor outer = new Cursor(der, 0, der.length).enter(SEQUENCE);
        outer.skip(INTEGER);
        Cursor algorithm = outer.enter(SEQUENCE);
        String oid = algorithm.readOid();
        String curve = algorithm.atEnd() || algorithm.peekTag() != OID ? null : algorithm.readOid();
        return new Pkcs8Header(oid, curve);
    }

    /**
     * The public key that OpenSSL (and so certbot) writes inside a PKCS#8 EC key: the {@code [1] publicKey} BIT STRING
     * of the SEC1 {@code ECPrivateKey} in the key's OCTET STRING, as the encoded point. Empty when the key has none
     * (it is optional) or is not shaped that way.
     */
    static Optional<byte[]> embeddedEcPublicKey(byte[] der) {
        try {
            Cursor outer = new Cursor(der, 0, der.length).enter(SEQUENCE);
            outer.skip(INTEGER);
            outer.skip(SEQUENCE);
            Cursor ecPrivateKey = outer.enter(OCTET_STRING).enter(SEQUENCE);
            ecPrivateKey.skip(INTEGER);
            ecPrivateKey.skip(OCTET_STRING);
            while (!ecPrivateKey.atEnd()) {
                if (ecPrivateKey.peekTag() == PUBLIC_KEY_TAG) {
                    Cursor bits = ecPrivateKey.enter(PUBLIC_KEY_TAG).enter(BIT_STRING);
                    // The first content byte counts unused bits; a point uses whole bytes.
                    if (bits.atEnd() || bits.peekByte() != 0) {
                        return Optional.empty();
                    }
                    return Optional.of(bits.rest(1));
                }
                ecPrivateKey.skip(ecPrivateKey.peekTag());
            }
        } catch (MalformedException e) {
            // Not the shape OpenSSL writes: the caller falls back to a signature check.
        }
        return Optional.empty();
    }

    /**
     * Whether a PKCS#8 EC key has every part the JDK's EC key factory reads, in the order it reads them: version,
     * AlgorithmIdentifier, and in the key's OCTET STRING a SEC1 {@code ECPrivateKey} as {@link #ecPrivateKey} reads
     * it; after the key only PKCS#8's optional attributes and public key. Such a key can be decoded by the JDK later,
     * when something needs it ({@link KeyReader}).
     */
    static boolean ecKeyIsWellFormed(byte[] der) {
        return wellFormedEcKey(der) != null;
    }

    /** The public point of a PKCS#8 EC key that {@link #ecKeyIsWellFormed}, when it carries one. */
    static Optional<byte[]> pointOfWellFormedEcKey(byte[] der) {
        EcPrivateKeyParts parts = wellFormedEcKey(der);
        return Optional.ofNullable(parts == null ? null : point(parts.publicKey(), false));
    }

    private static EcPrivateKeyParts wellFormedEcKey(byte[] der) {
        try {
            Cursor whole = new Cursor(der, 0, der.length);
            Cursor outer = whole.enter(SEQUENCE);
            Cursor version = outer.enter(INTEGER);
            if (!whole.atEnd() || version.end - version.pos != 1 || der[version.pos] > 1 || der[version.pos] < 0) {
                return null;
            }
            outer.skip(SEQUENCE);
            Cursor key = outer.enter(OCTET_STRING);
            skipOptional(outer, PARAMETERS_TAG);
            skipOptional(outer, 0x81);
            EcPrivateKeyParts parts = ecPrivateKey(key.enter(SEQUENCE));
            return outer.atEnd() && key.atEnd() ? parts : null;
        } catch (MalformedException e) {
            return null;
        }
    }

    /** What {@link #ecPrivateKey} found after the private value: the contents of {@code [0]} and {@code [1]}, or null. */
    private record EcPrivateKeyParts(Cursor parameters, Cursor publicKey) {
    }

    /**
     * A SEC1 {@code ECPrivateKey} as the JDK's EC key factory reads it: version 1, a private value no longer than the
     * curve's largest (P-521's 66 bytes), then only the optional {@code [0]} parameters and {@code [1]} public key.
     */
    private static EcPrivateKeyParts ecPrivateKey(Cursor ecPrivateKey) throws MalformedException {
        Cursor version = ecPrivateKey.enter(INTEGER);
        Cursor value = ecPrivateKey.enter(OCTET_STRING);
        Cursor.check(version.end - version.pos == 1 && version.b[version.pos] == 1
                && value.end > value.pos && value.end - value.pos <= 66);
        Cursor parameters = optional(ecPrivateKey, PARAMETERS_TAG);
        Cursor publicKey = optional(ecPrivateKey, PUBLIC_KEY_TAG);
        Cursor.check(ecPrivateKey.atEnd());
        return new EcPrivateKeyParts(parameters, publicKey);
    }

    /**
     * The encoded point in the contents of a {@code [1] publicKey}: its BIT STRING, whose first byte counts unused bits
     * (a point uses whole bytes); with {@code alone}, only if nothing follows it. Null when there is none.
     */
    private static byte[] point(Cursor publicKey, boolean alone) {
        if (publicKey == null) {
            return null;
        }
        try {
            Cursor bits = publicKey.enter(BIT_STRING);
            if ((alone && !publicKey.atEnd()) || bits.atEnd() || bits.peekByte() != 0) {
                return null;
            }
            return bits.rest(1);
        } catch (MalformedException e) {
            return null;
        }
    }

    /** A SEC1 EC key's named curve and public point, and the same key as PKCS#8 (for the JDK's key factory). */
    record Sec1Key(String curveOid, byte[] publicPoint, byte[] pkcs8) {
    }

    private static final byte[] EC_ALGORITHM_OID = {0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};

    /**
     * A SEC1 {@code ECPrivateKey} ({@code EC PRIVATE KEY}) of exactly the shape OpenSSL and Go write: what
     * {@link #ecPrivateKey} reads, with {@code [0]} a named curve and {@code [1]} the public point. Empty for any other
     * shape (explicit curve parameters, no public key), which {@link TraditionalKeyReader} then reads. Wrapped for
     * PKCS#8 as the JDK wants it: the curve in the AlgorithmIdentifier, the SEC1 structure as given in the OCTET STRING.
     */
    static Optional<Sec1Key> sec1(byte[] der) {
        try {
            Cursor whole = new Cursor(der, 0, der.length);
            EcPrivateKeyParts parts = ecPrivateKey(whole.enter(SEQUENCE));
            byte[] point = point(parts.publicKey(), true);
            if (!whole.atEnd() || parts.parameters() == null || point == null) {
                return Optional.empty();
            }
            byte[] curve = parts.parameters().rawElement(OID);
            if (!parts.parameters().atEnd()) {
                return Optional.empty();
            }
            String curveOid = new Cursor(curve, 0, curve.length).readOid();
            ByteArrayOutputStream algorithm = new ByteArrayOutputStream();
            algorithm.writeBytes(EC_ALGORITHM_OID);
            algorithm.writeBytes(curve);
            ByteArrayOutputStream info = new ByteArrayOutputStream(der.length + 32);
            info.writeBytes(new byte[] {INTEGER, 1, 0});
            info.writeBytes(encode(SEQUENCE, algorithm.toByteArray()));
            info.writeBytes(encode(OCTET_STRING, der));
            return Optional.of(new Sec1Key(curveOid, point, encode(SEQUENCE, info.toByteArray())));
        } catch (MalformedException e) {
            return Optional.empty();
        }
    }

    /** The next element's content if it has {@code tag}, consumed; null otherwise. */
    private static Cursor optional(Cursor cursor, int tag) throws MalformedException {
        return !cursor.atEnd() && cursor.peekTag() == tag ? cursor.enter(tag) : null;
    }

    private static void skipOptional(Cursor cursor, int tag) throws MalformedException {
        optional(cursor, tag);
    }

    /**
     * The same key in the traditional form OpenSSL names by its label, {@code RSA PRIVATE KEY} (PKCS#1) or
     * {@code EC PRIVATE KEY} (SEC1, its named curve written into it as {@code [0] parameters}); empty when the key is
     * better kept as given: Ed25519 (it has no other form), explicit curve parameters, or a PKCS#8 that carries more
     * than the key (version 1 or attributes, which the traditional forms cannot hold).
     *
     * <p>Why: HAProxy on OpenSSL 3 loads a bundle by offering each PEM block to every key decoder until one
     * takes it; a traditional label names the decoder outright. Measured with HAProxy 2.6.12 and 10,000 P-256
     * bundles, together with the key placed first in the bundle ({@link Bundle#haproxyPem()}): {@code haproxy -c}
     * 6.95 -> 6.6 s, and the same commands through the Runtime API 8.3 -> 7.9 s (bench/README.md).
     */
    static Optional<PemBlock> traditionalForm(byte[] der) {
        try {
            Cursor outer = new Cursor(der, 0, der.length).enter(SEQUENCE);
            Cursor version = outer.enter(INTEGER);
            if (version.end - version.pos != 1 || der[version.pos] != 0) {
                return Optional.empty();
            }
            Cursor algorithm = outer.enter(SEQUENCE);
            String oid = algorithm.readOid();
            byte[] curve = algorithm.atEnd() || algorithm.peekTag() != OID ? null : algorithm.rawElement();
            Cursor key = outer.enter(OCTET_STRING);
            if (!outer.atEnd()) {
                return Optional.empty();  // attributes follow the key
            }
            if (oid.equals(KeyReader.OID_RSA)) {
                return Optional.of(new PemBlock("RSA PRIVATE KEY", key.rest(0)));
            }
            if (!oid.equals(KeyReader.OID_EC) || curve == null || !algorithm.atEnd()) {
                return Optional.empty();
            }
            // ECPrivateKey ::= SEQUENCE { version, privateKey, [0] parameters OPTIONAL, [1] publicKey OPTIONAL }.
            // Inside PKCS#8 the parameters are usually left out (the AlgorithmIdentifier names the curve); the
            // traditional form has no AlgorithmIdentifier, so they go in.
            Cursor ecPrivateKey = key.enter(SEQUENCE);
            if (!key.atEnd()) {
                return Optional.empty();
            }
            ByteArrayOutputStream content = new ByteArrayOutputStream(der.length + curve.length + 2);
            content.writeBytes(ecPrivateKey.rawElement(INTEGER));
            content.writeBytes(ecPrivateKey.rawElement(OCTET_STRING));
            if (ecPrivateKey.atEnd() || ecPrivateKey.peekTag() != PARAMETERS_TAG) {
                content.writeBytes(encode(PARAMETERS_TAG, curve));
            }
            while (!ecPrivateKey.atEnd()) {
                content.writeBytes(ecPrivateKey.rawElement());
            }
            return Optional.of(new PemBlock("EC PRIVATE KEY", encode(SEQUENCE, content.toByteArray())));
        } catch (MalformedException e) {
            // The key reader has accepted the key; a shape this does not follow is sent as given.
            return Optional.empty();
        }
    }

    /** One DER element: tag, definite length, content. */
    private static byte[] encode(int tag, byte[] content) {
        int n = content.length;
        int lengthBytes = n < 0x80 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
        byte[] out = new byte[2 + lengthBytes + n];
        out[0] = (byte) tag;
        if (lengthBytes == 0) {
            out[1] = (byte) n;
        } else {
            out[1] = (byte) (0x80 | lengthBytes);
            for (int i = 0; i < lengthBytes; i++) {
                out[2 + i] = (byte) (n >>> (8 * (lengthBytes - 1 - i)));
            }
        }
        System.arraycopy(content, 0, out, 2 + lengthBytes, n);
        return out;
    }

    /** A bounded view over DER bytes; every read is checked against its end. */
    private static final class Cursor {
        private final byte[] b;
        private int pos;
        private final int end;

        Cursor(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        boolean atEnd() {
            return pos >= end;
        }

        int peekTag() throws MalformedException {
            check(pos < end);
            return b[pos] & 0xFF;
        }

        /** Consumes a TLV of the given tag and returns a cursor over its value. */
        Cursor enter(int tag) throws MalformedException {
            check(peekTag() == tag);
            pos++;
            int length = readLength();
            check(length <= end - pos);
            Cursor inner = new Cursor(b, pos, pos + length);
            pos += length;
            return inner;
        }

        /** Consumes the next element, whatever its tag, and returns it whole: tag, length and content. */
        byte[] rawElement() throws MalformedException {
            int start = pos;
            enter(peekTag());
            return Arrays.copyOfRange(b, start, pos);
        }

        /** Consumes the next element, which must have this tag, and returns it whole. */
        byte[] rawElement(int tag) throws MalformedException {
            check(peekTag() == tag);
            return rawElement();
        }

        int peekByte() throws MalformedException {
            return peekTag();
        }

        /** The remaining bytes after skipping {@code skip} of them. */
        byte[] rest(int skip) throws MalformedException {
            check(pos + skip <= end);
            return Arrays.copyOfRange(b, pos + skip, end);
        }

        void skip(int tag) throws MalformedException {
            enter(tag);
        }

        String readOid() throws MalformedException {
            Cursor v = enter(OID);
            check(v.end > v.pos);
            StringBuilder s = new StringBuilder();
            long value = 0;
            boolean first = true;
            for (int i = v.pos; i < v.end; i++) {
                value = (value << 7) | (b[i] & 0x7F);
                check(value < (1L << 56));
                if ((b[i] & 0x80) == 0) {
                    if (first) {
                        long arc0 = Math.min(value / 40, 2);
                        s.append(arc0).append('.').append(value - 40 * arc0);
                        first = false;
                    } else {
                        s.append('.').append(value);
                    }
                    value = 0;
                }
            }
            check((b[v.end - 1] & 0x80) == 0);
            return s.toString();
        }

        private int readLength() throws MalformedException {
            check(pos < end);
            int first = b[pos++] & 0xFF;
            if (first < 0x80) {
                return first;
            }
            int count = first & 0x7F;
            check(count >= 1 && count <= 3 && count <= end - pos);
            int length = 0;
            for (int i = 0; i < count; i++) {
                length = (length << 8) | (b[pos++] & 0xFF);
            }
            return length;
        }

        private static void check(boolean ok) throws MalformedException {
            if (!ok) {
                throw new MalformedException();
            }
        }
    }
}
