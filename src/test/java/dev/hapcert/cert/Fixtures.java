package dev.hapcert.cert;

import dev.hapcert.testkit.TestCertificates;
import dev.hapcert.testkit.TestCertificates.Authority;
import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Certificates shared by the tests of this package, minted once per JVM (RSA 4096 keys are slow to generate). */
final class Fixtures {
    static final Authority ROOT = TestCertificates.newRootCa("hapcert Test Root");
    static final Authority INTERMEDIATE = ROOT.intermediate("hapcert Test Intermediate");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Map<KeyType, Issued> LEAVES = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /** A leaf for shop.example.test and www.shop.example.test, issued by {@link #INTERMEDIATE}. */
    static Issued leaf(KeyType type) {
        return LEAVES.computeIfAbsent(type,
                t -> INTERMEDIATE.leaf("shop.example.test", "www.shop.example.test").keyType(t).serial(nextSerial()).issue());
    }

    /**
     * A fresh positive serial. Leaves are always minted with an explicit one: TestCertificates.LeafSpec.issue()
     * falls back to the record's own (null) serial accessor instead of its serial generator.
     */
    static BigInteger nextSerial() {
        return new BigInteger(63, RANDOM).add(BigInteger.ONE);
    }

    /**
     * The key as OpenSSL's {@code openssl ec} writes it: PKCS#1 for RSA, SEC1 with the named curve and public key
     * for EC (the layout TestCertificates.Issued.keyTraditionalPem() writes too, by way of BouncyCastle's writer).
     */
    static String traditionalPem(Issued issued) throws Exception {
        PrivateKey key = issued.keys().getPrivate();
        if (!key.getAlgorithm().equals("EC")) {
            return issued.keyTraditionalPem();
        }
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        int orderBits = ((ECPrivateKey) key).getParams().getOrder().bitLength();
        DERBitString publicPoint = new DERBitString(
                SubjectPublicKeyInfo.getInstance(issued.keys().getPublic().getEncoded()).getPublicKeyData().getOctets());
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(orderBits, inner.getKey(), publicPoint,
                info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
        return TestCertificates.pemBlock("EC PRIVATE KEY", sec1);
    }

    /**
     * An EC key as OpenSSL (and so certbot) writes PKCS#8: the SEC1 structure inside carries {@code point} as its
     * public key and leaves the curve to the AlgorithmIdentifier. The JDK's own encoding has no public key.
     */
    static byte[] opensslStylePkcs8(java.security.KeyPair keys, java.security.PublicKey point) throws Exception {
        ECPrivateKey key = (ECPrivateKey) keys.getPrivate();
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                key.getParams().getOrder().bitLength(), key.getS(),
                SubjectPublicKeyInfo.getInstance(point.getEncoded()).getPublicKeyData(), null);
        return new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), sec1).getEncoded();
    }

    /**
     * What {@link Bundle#haproxyPem()} renders for this leaf and chain with {@code keyPem}: the key first, in its
     * traditional form when it was given as PKCS#8 and has one (that conversion is checked on its own against
     * BouncyCastle in TraditionalKeyFormTest).
     */
    static String rendered(Issued issued, String keyPem) throws Exception {
        PemBlock key = PemReader.read(keyPem, "fixture key").get(0);
        String first = key.label().equals("PRIVATE KEY")
                ? Pkcs8Header.traditionalForm(key.der()).map(PemBlock::toPem).orElse(keyPem) : keyPem;
        return first + issued.fullchainPem();
    }

    /** {@link #rendered(Issued, String)} of the leaf with its PKCS#8 key. */
    static String rendered(Issued issued) throws Exception {
        return rendered(issued, issued.keyPkcs8Pem());
    }

    static PrivateKeyMaterial pkcs8(java.security.PrivateKey key) throws Exception {
        return KeyReader.read(new PemBlock("PRIVATE KEY", key.getEncoded()), "test key");
    }
}
