package dev.hapcert.cert;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A private key as the operator gave it: the JDK key (for signing checks; for an EC key that carries its public
 * point, decoded only when asked for, see {@link KeyReader}, the point being what matching it to a certificate takes), its algorithm ({@code RSA}, {@code EC} or
 * {@code Ed25519}), and the PEM label and DER exactly as read. HAProxy receives the same key, re-wrapped canonically
 * and, for PKCS#8 RSA and EC keys, in its traditional form ({@link #haproxyPem()}). Nothing here ever prints the
 * key: {@link #toString()} is redacted.
 */
public final class PrivateKeyMaterial {
    private volatile PrivateKey key;
    private final String algorithm;
    private final String label;
    private final byte[] der;
    /** What {@link #key()} decodes when the key was read without the JDK; null otherwise. */
    private final byte[] pkcs8;
    private final PublicPoint publicPoint;

    PrivateKeyMaterial(PrivateKey key, String algorithm, String label, byte[] der) {
        this.key = Objects.requireNonNull(key, "key");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.label = Objects.requireNonNull(label, "label");
        this.der = Objects.requireNonNull(der, "der").clone();
        this.pkcs8 = null;
        this.publicPoint = null;
    }

    private PrivateKeyMaterial(String algorithm, String label, byte[] der, byte[] pkcs8, PublicPoint publicPoint) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.label = Objects.requireNonNull(label, "label");
        this.der = Objects.requireNonNull(der, "der").clone();
        this.pkcs8 = Objects.requireNonNull(pkcs8, "pkcs8").clone();
        this.publicPoint = Objects.requireNonNull(publicPoint, "publicPoint");
    }

    /**
     * An EC key that carries its public point, read without the JDK: {@code der} as given (PKCS#8 or SEC1, as
     * {@code label} says), {@code pkcs8} the same key as PKCS#8, which {@link #key()} decodes on its first call.
     */
    static PrivateKeyMaterial decodedWhenNeeded(String label, byte[] der, byte[] pkcs8, PublicPoint publicPoint) {
        return new PrivateKeyMaterial("EC", label, der, pkcs8, publicPoint);
    }

    /** An EC key's named curve and encoded public point, as the key itself carries them. */
    record PublicPoint(String curveOid, byte[] encoded) {
        PublicPoint {
            Objects.requireNonNull(curveOid, "curveOid");
            encoded = encoded.clone();
        }

        @Override
        public byte[] encoded() {
            return encoded.clone();
        }
    }

    /** The public point the key carries, when it was read without the JDK ({@link #decodedWhenNeeded}). */
    Optional<PublicPoint> publicPoint() {
        return Optional.ofNullable(publicPoint);
    }

    /**
     * The JDK's key. An IllegalStateException, which names no key material, if a key read as well formed is still
     * refused by the JDK's key factory.
     */
    public PrivateKey key() {
        PrivateKey decoded = key;
        if (decoded == null) {
            try {
                decoded = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException | RuntimeException e) {
                // Not chained: the factory's message could echo key bytes.
                throw new IllegalStateException("the " + algorithm + " private key cannot be decoded");
            }
            key = decoded;
        }
        return decoded;
    }

    /** {@code RSA}, {@code EC} or {@code Ed25519}. */
    public String algorithm() {
        return algorithm;
    }

    /** The PEM label as given: {@code PRIVATE KEY} (PKCS#8), {@code RSA PRIVATE KEY} or {@code EC PRIVATE KEY}. */
    public String label() {
        return label;
    }

    public byte[] der() {
        return der.clone();
    }

    /** Canonical PEM of the key as given: 64-column base64, LF line ends, final newline. */
    public String toPem() {
        return new PemBlock(label, der).toPem();
    }

    /**
     * Canonical PEM of the key in the form HAProxy loads fastest: the traditional form for a PKCS#8 RSA or EC key
     * (see {@link Pkcs8Header#traditionalForm}), the key as given otherwise. The same key either way.
     */
    public String haproxyPem() {
        if (label.equals("PRIVATE KEY")) {
            java.util.Optional<PemBlock> traditional = Pkcs8Header.traditionalForm(der);
            if (traditional.isPresent()) {
                return traditional.get().toPem();
            }
        }
        return toPem();
    }

    @Override
    public boolean equals(Object o) {
        // Constant-time comparison: equality of secrets should not be measurable by timing.
        return o instanceof PrivateKeyMaterial other && label.equals(other.label) && MessageDigest.isEqual(der, other.der);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(der);
    }

    @Override
    public String toString() {
        return "PrivateKeyMaterial[" + algorithm + ", redacted]";
    }
}
