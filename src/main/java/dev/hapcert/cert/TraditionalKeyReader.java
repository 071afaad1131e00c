package dev.hapcert.cert;

import dev.hapcert.error.InvalidInputException;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads legacy {@code RSA PRIVATE KEY} (PKCS#1) and {@code EC PRIVATE KEY} (SEC1) blocks with BouncyCastle.
 * Kept apart from {@link KeyReader} so BouncyCastle's classes are loaded only when such a key actually shows up:
 * the PKCS#8 keys certbot writes never touch this class. The key's DER is kept as given.
 */
final class TraditionalKeyReader {
    private TraditionalKeyReader() {
    }

    static PrivateKeyMaterial read(PemBlock block, String origin) throws InvalidInputException {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(block.toPem()))) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw KeyReader.corrupt(origin);
        }
        if (parsed instanceof PEMEncryptedKeyPair) {
            throw new InvalidInputException(origin + " holds " + KeyReader.ENCRYPTED_HINT);
        }
        if (!(parsed instanceof PEMKeyPair pair) || pair.getPrivateKeyInfo() == null) {
            throw KeyReader.corrupt(origin);
        }
        PrivateKeyInfo info = pair.getPrivateKeyInfo();
        AlgorithmIdentifier id = info.getPrivateKeyAlgorithm();
        String algorithm = KeyReader.algorithmFor(id.getAlgorithm().getId(), origin);
        if (algorithm.equals("EC")) {
            // BouncyCastle wraps the named-curve OID in an X9.62 parameters object; its primitive form is the OID itself.
            ASN1Encodable params = id.getParameters();
            KeyReader.requireSupportedCurve(params != null && params.toASN1Primitive() instanceof ASN1ObjectIdentifier curve
                    ? curve.getId() : null, origin);
        }
        try {
            PrivateKey key = new JcaPEMKeyConverter().getPrivateKey(info);
            return new PrivateKeyMaterial(key, algorithm, block.label(), block.der());
        } catch (IOException | RuntimeException e) {
            throw KeyReader.corrupt(origin);
        }
    }
}
