package dev.hapcert.cert;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;

/**
 * Whether a private key belongs to a certificate's public key, by signing random data and verifying it. One
 * mechanism for RSA, EC and Ed25519 alike, with no need to derive public keys (the JDK cannot for EC or EdDSA).
 */
final class KeyPairCheck {
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyPairCheck() {
    }

    static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = signatureAlgorithm(privateKey.getAlgorithm());
        if (algorithm == null || !family(privateKey.getAlgorithm()).equals(family(publicKey.getAlgorithm()))) {
            return false;
        }
        try {
            byte[] data = new byte[32];
            RANDOM.nextBytes(data);
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
