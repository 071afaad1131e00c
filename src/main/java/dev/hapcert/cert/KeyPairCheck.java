package dev.hapcert.cert;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Optional;

/**
 * Whether a private key belongs to a certificate's public key. When the key carries its public part (an RSA key's
 * modulus and exponent; the point OpenSSL writes into PKCS#8 EC keys), the public parts are compared, which is what
 * OpenSSL itself checks when HAProxy loads the bundle, and costs no cryptography: on the deploy hook's path a cold
 * JVM's first signature takes tens of milliseconds. Otherwise random data is signed and verified: one mechanism for
 * RSA, EC and Ed25519 alike, with no need to derive public keys (the JDK cannot for EC or EdDSA).
 */
final class KeyPairCheck {
    private KeyPairCheck() {
    }

    /**
     * {@link #matches(PrivateKeyMaterial, PublicKey)} with the certificate's key; for a certificate read by hapcert and
     * an EC key that carries its public point, the two encoded points are compared without decoding either key.
     */
    static boolean matches(PrivateKeyMaterial key, X509Certificate certificate) {
        if (certificate instanceof LazyX509Certificate lazy) {
            Optional<Boolean> byPoint = byEncodedPoint(key, lazy);
            if (byPoint.isPresent()) {
                return byPoint.get();
            }
        }
        return matches(key, certificate.getPublicKey());
    }

    /** Empty when the key or the certificate does not hold its point uncompressed, as OpenSSL writes both. */
    private static Optional<Boolean> byEncodedPoint(PrivateKeyMaterial key, LazyX509Certificate certificate) {
        Optional<PrivateKeyMaterial.PublicPoint> own = key.publicPoint();
        if (own.isEmpty()) {
            return Optional.empty();
        }
        if (!certificate.publicKeyAlgorithmOid().equals(KeyReader.OID_EC)) {
            return Optional.of(false);
        }
        byte[] point = own.get().encoded();
        byte[] certificatePoint = certificate.publicKeyBits();
        if (!uncompressed(point) || certificatePoint == null || !uncompressed(certificatePoint)) {
            return Optional.empty();
        }
        return Optional.of(own.get().curveOid().equals(certificate.publicKeyParameterOid())
                && Arrays.equals(point, certificatePoint));
    }

    /** 04, then X and Y of equal length. */
    private static boolean uncompressed(byte[] point) {
        return point.length > 1 && point.length % 2 == 1 && point[0] == 4;
    }

    static boolean matches(PrivateKeyMaterial key, PublicKey publicKey) {
        PrivateKey privateKey;
        try {
            privateKey = key.key();
        } catch (IllegalStateException e) {
            return false;
        }
        if (privateKey instanceof RSAPrivateCrtKey rsa && publicKey instanceof RSAPublicKey pub) {
            return rsa.getModulus().equals(pub.getModulus()) && rsa.getPublicExponent().equals(pub.getPublicExponent());
        }
        if (privateKey instanceof ECPrivateKey ec && publicKey instanceof ECPublicKey pub) {
            if (!ec.getParams().getCurve().equals(pub.getParams().getCurve())
                    || !ec.getParams().getOrder().equals(pub.getParams().getOrder())) {
                return false;
            }
            Optional<byte[]> point = key.publicPoint().map(PrivateKeyMaterial.PublicPoint::encoded)
                    .or(() -> key.label().equals("PRIVATE KEY") ? Pkcs8Header.embeddedEcPublicKey(key.der()) : Optional.empty());
            int size = (pub.getParams().getCurve().getField().getFieldSize() + 7) / 8;
            if (point.isPresent() && point.get().length == 1 + 2 * size && point.get()[0] == 4) {
                byte[] p = point.get();
                BigInteger x = new BigInteger(1, Arrays.copyOfRange(p, 1, 1 + size));
                BigInteger y = new BigInteger(1, Arrays.copyOfRange(p, 1 + size, p.length));
                return x.equals(pub.getW().getAffineX()) && y.equals(pub.getW().getAffineY());
            }
        }
        return matches(privateKey, publicKey);
    }

    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = signatureAlgorithm(privateKey.getAlgorithm());
        if (algorithm == null || !family(privateKey.getAlgorithm()).equals(family(publicKey.getAlgorithm()))) {
            return false;
        }
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            // Wrong curve, wrong EdDSA variant, wrong key size: all simply "does not match".
            return false;
        }
    }

    private static String signatureAlgorithm(String keyAlgorithm) {
        return switch (family(keyAlgorithm)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA" -> "Ed25519";
            default -> null;
        };
    }

    /** The JDK names EdDSA keys "EdDSA" or "Ed25519" depending on how they were made. */
    private static String family(String keyAlgorithm) {
        return keyAlgorithm.equals("Ed25519") ? "EdDSA" : keyAlgorithm;
    }
}
