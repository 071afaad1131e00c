package dev.hapcert.cert;

import dev.hapcert.error.InvalidInputException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Optional;

/**
 * Turns a private-key PEM block into {@link PrivateKeyMaterial}. PKCS#8 ({@code PRIVATE KEY}, what certbot, lego and
 * current OpenSSL write) is read with the JDK alone; the algorithm is taken from the PKCS#8 AlgorithmIdentifier so an
 * unsupported key gets a precise message. Legacy PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY})
 * keys go to a separate class that uses BouncyCastle, so the deploy-hook fast path never loads it.
 *
 * <p>Errors never chain the underlying parser exception: its message or stack could echo key bytes.
 */
public final class KeyReader {
    /** Shared by every place that can meet an encrypted key (a PKCS#8 label or a traditional Proc-Type header). */
    static final String ENCRYPTED_HINT = "an encrypted private key; encrypted keys are not supported: decrypt it first with"
            + " `openssl pkey -in KEY -out KEY.plain` and keep the result readable by root only";

    static final String OID_RSA = "1.2.840.113549.1.1.1";
    static final String OID_EC = "1.2.840.10045.2.1";
    static final String OID_ED25519 = "1.3.101.112";
    private static final String OID_ED448 = "1.3.101.113";
    private static final String OID_X25519 = "1.3.101.110";
    private static final String OID_X448 = "1.3.101.111";
    private static final String OID_DSA = "1.2.840.10040.4.1";
    private static final String OID_RSA_PSS = "1.2.840.113549.1.1.10";
    private static final String OID_P256 = "1.2.840.10045.3.1.7";
    private static final String OID_P384 = "1.3.132.0.34";
    private static final String OID_P521 = "1.3.132.0.35";

    private KeyReader() {
    }

    public static PrivateKeyMaterial read(PemBlock block, String origin) throws InvalidInputException {
        return switch (block.label()) {
            case "PRIVATE KEY" -> readPkcs8(block, origin);
            case "EC PRIVATE KEY" -> readSec1(block, origin);
            case "RSA PRIVATE KEY" -> TraditionalKeyReader.read(block, origin);
            case "ENCRYPTED PRIVATE KEY" -> throw new InvalidInputException(origin + " holds " + ENCRYPTED_HINT);
            case "DSA PRIVATE KEY" -> throw dsa(origin);
            case "OPENSSH PRIVATE KEY" -> throw new InvalidInputException(origin + " holds an OpenSSH key, which is not"
                    + " a TLS key: use the private key your ACME client wrote (certbot: privkey.pem)");
            default -> throw new InvalidInputException(origin + ": a " + block.label() + " block is not a private key"
                    + " (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
        };
    }

    private static PrivateKeyMaterial readPkcs8(PemBlock block, String origin) throws InvalidInputException {
        byte[] der = block.der();
        Pkcs8Header header;
        try {
            header = Pkcs8Header.parse(der);
        } catch (Pkcs8Header.MalformedException e) {
            throw corrupt(origin);
        }
        String algorithm = algorithmFor(header.algorithmOid(), origin);
        if (algorithm.equals("EC")) {
            requireSupportedCurve(header.curveOid(), origin);
        }
        Optional<byte[]> point = algorithm.equals("EC") ? Pkcs8Header.pointOfWellFormedEcKey(der) : Optional.empty();
        if (point.isPresent()) {
            // What OpenSSL, and so certbot, writes. Its embedded public point is all that matching it to a certificate
            // takes (KeyPairCheck), so the JDK decodes it only if something asks for the key itself: on JDK 17 the
            // first EC key costs the deploy hook a lookup of the EC provider and its table of curves (LazyX509Certificate).
            return PrivateKeyMaterial.decodedWhenNeeded(block.label(), der, der,
                    new PrivateKeyMaterial.PublicPoint(header.curveOid(), point.get()));
        }
        try {
            PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            return new PrivateKeyMaterial(key, algorithm, block.label(), der);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw corrupt(origin);
        }
    }

    /**
     * A SEC1 key ({@code EC PRIVATE KEY}), as acme.sh, lego and dehydrated write it (OpenSSL's {@code ecparam -genkey},
     * Go's {@code MarshalECPrivateKey}): with its named curve and public point it is read like OpenSSL's PKCS#8 key,
     * the JDK decoding it only if asked for (measured on the deploy hook, JDK 17: 143 ms with BouncyCastle's PEM
     * parser and key converter, as any other form still is, against 76 ms for the PKCS#8 key certbot writes).
     */
    private static PrivateKeyMaterial readSec1(PemBlock block, String origin) throws InvalidInputException {
        byte[] der = block.der();
        Optional<Pkcs8Header.Sec1Key> sec1 = Pkcs8Header.sec1(der);
        if (sec1.isEmpty()) {
            return TraditionalKeyReader.read(block, origin);
        }
        requireSupportedCurve(sec1.get().curveOid(), origin);
        return PrivateKeyMaterial.decodedWhenNeeded(block.label(), der, sec1.get().pkcs8(),
                new PrivateKeyMaterial.PublicPoint(sec1.get().curveOid(), sec1.get().publicPoint()));
    }

    /** The JDK algorithm name for a PKCS#8 algorithm OID, or a precise refusal. */
    static String algorithmFor(String oid, String origin) throws InvalidInputException {
        return switch (oid) {
            case OID_RSA -> "RSA";
            case OID_EC -> "EC";
            case OID_ED25519 -> "Ed25519";
            case OID_DSA -> throw dsa(origin);
            case OID_RSA_PSS -> throw new InvalidInputException(origin + " holds an RSASSA-PSS key, which HAProxy cannot"
                    + " serve to most clients: issue the certificate with a plain RSA or EC key");
            case OID_ED448 -> throw new InvalidInputException(origin + " holds an Ed448 key, which is not supported:"
                    + " use EC P-256, EC P-384, RSA or Ed25519");
            case OID_X25519, OID_X448 -> throw new InvalidInputException(origin + " holds a key-agreement key"
                    + " (X25519/X448), which cannot sign: a TLS certificate needs an RSA, EC or Ed25519 key");
            default -> throw new InvalidInputException(origin + " holds a private key of an unknown algorithm (OID " + oid
                    + "): supported are RSA, EC (P-256, P-384, P-521) and Ed25519");
        };
    }

    static void requireSupportedCurve(String curveOid, String origin) throws InvalidInputException {
        if (curveOid == null) {
            throw new InvalidInputException(origin + " holds an EC key that does not name its curve (curve parameters"
                    + " missing or explicit): write it as PKCS#8 with a named curve (`openssl pkey -in KEY -out KEY.new`)"
                    + " or issue a new P-256 key");
        }
        if (!curveOid.equals(OID_P256) && !curveOid.equals(OID_P384) && !curveOid.equals(OID_P521)) {
            throw new InvalidInputException(origin + " holds an EC key on an unsupported curve (OID " + curveOid
                    + "): use P-256 or P-384");
        }
    }

    static InvalidInputException dsa(String origin) {
        return new InvalidInputException(origin + " holds a DSA key, which is not supported: modern TLS clients do not"
                + " accept DSA certificates; issue a new certificate with an EC P-256 or RSA key");
    }

    static InvalidInputException corrupt(String origin) {
        return new InvalidInputException(origin + ": the private key is damaged (its DER structure cannot be decoded):"
                + " copy it again from its source");
    }
}
