package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * HAProxy is given PKCS#8 RSA and EC keys in their traditional form (faster for OpenSSL 3 to load, see
 * {@link Pkcs8Header#traditionalForm}). BouncyCastle, which writes these forms for the test fixtures, is the oracle:
 * the same key, byte for byte the structure {@code openssl rsa/ec -traditional} writes, and nothing converted that
 * the traditional form cannot hold.
 */
class TraditionalKeyFormTest {
    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384"})
    void opensslStyleEcKeysBecomeSec1WithTheirCurveAndPoint(KeyType type) throws Exception {
        Issued issued = Fixtures.leaf(type);
        byte[] pkcs8 = Fixtures.opensslStylePkcs8(issued.keys(), issued.keys().getPublic());

        PemBlock traditional = Pkcs8Header.traditionalForm(pkcs8).orElseThrow();

        assertThat(traditional.label()).isEqualTo("EC PRIVATE KEY");
        ECPrivateKey key = (ECPrivateKey) issued.keys().getPrivate();
        byte[] expected = new org.bouncycastle.asn1.sec.ECPrivateKey(key.getParams().getOrder().bitLength(), key.getS(),
                SubjectPublicKeyInfo.getInstance(issued.keys().getPublic().getEncoded()).getPublicKeyData(),
                PrivateKeyInfo.getInstance(pkcs8).getPrivateKeyAlgorithm().getParameters()).getEncoded();
        KeyLeaks.assertSameSecret(traditional.der(), expected);
    }

    @Test
    void aP521KeyNeedsLongFormLengths() throws Exception {
        // The SEC1 structure of a P-521 key is over 127 bytes long, so its length takes the long DER form.
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp521r1"));
        java.security.KeyPair keys = g.generateKeyPair();
        byte[] pkcs8 = Fixtures.opensslStylePkcs8(keys, keys.getPublic());

        PemBlock traditional = Pkcs8Header.traditionalForm(pkcs8).orElseThrow();

        ECPrivateKey key = (ECPrivateKey) keys.getPrivate();
        byte[] expected = new org.bouncycastle.asn1.sec.ECPrivateKey(key.getParams().getOrder().bitLength(), key.getS(),
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                PrivateKeyInfo.getInstance(pkcs8).getPrivateKeyAlgorithm().getParameters()).getEncoded();
        KeyLeaks.assertSameSecret(traditional.der(), expected);
        assertSameEcKey(KeyReader.read(traditional, "converted key"), key);
    }

    @Test
    void anEcKeyWithoutItsPointKeepsTheCurveAndReadsBackAsTheSameKey() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        byte[] jdkEncoded = issued.keys().getPrivate().getEncoded();

        PemBlock traditional = Pkcs8Header.traditionalForm(jdkEncoded).orElseThrow();

        PrivateKeyMaterial readBack = KeyReader.read(traditional, "converted key");
        assertSameEcKey(readBack, (ECPrivateKey) issued.keys().getPrivate());
        assertThat(KeyPairCheck.matches(readBack, issued.leaf().getPublicKey())).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"RSA_2048", "RSA_4096"})
    void rsaKeysBecomePkcs1(KeyType type) throws Exception {
        Issued issued = Fixtures.leaf(type);
        byte[] pkcs8 = issued.keys().getPrivate().getEncoded();

        PemBlock traditional = Pkcs8Header.traditionalForm(pkcs8).orElseThrow();

        assertThat(traditional.label()).isEqualTo("RSA PRIVATE KEY");
        KeyLeaks.assertSameSecret(traditional.der(),
                PrivateKeyInfo.getInstance(pkcs8).parsePrivateKey().toASN1Primitive().getEncoded());
        assertThat(KeyReader.read(traditional, "converted key").key()).isEqualTo(issued.keys().getPrivate());
    }

    @Test
    void keysWithoutATraditionalFormStayAsGiven() throws Exception {
        Issued ed25519 = Fixtures.leaf(KeyType.ED25519);
        assertThat(Pkcs8Header.traditionalForm(ed25519.keys().getPrivate().getEncoded())).isEmpty();

        // Attributes (here a friendly name) have no place in the traditional forms.
        PrivateKeyInfo plain = PrivateKeyInfo.getInstance(Fixtures.leaf(KeyType.EC_P256).keys().getPrivate().getEncoded());
        ASN1EncodableVector name = new ASN1EncodableVector();
        name.add(new Attribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERSet(new DERBMPString("shop"))));
        byte[] withAttributes = new PrivateKeyInfo(plain.getPrivateKeyAlgorithm(), plain.parsePrivateKey(),
                ASN1Set.getInstance(new DERSet(name))).getEncoded();
        assertThat(Pkcs8Header.traditionalForm(withAttributes)).isEmpty();

        // Version 1 (RFC 5958) may carry the public key beside the private one.
        byte[] version1 = new PrivateKeyInfo(plain.getPrivateKeyAlgorithm(), plain.parsePrivateKey(), null,
                new byte[] {0}).getEncoded();
        assertThat(Pkcs8Header.traditionalForm(version1)).isEmpty();

        assertThat(Pkcs8Header.traditionalForm("not a key".getBytes(StandardCharsets.US_ASCII))).isEmpty();
    }

    @Test
    void theBundleHandsHaproxyTheKeyFirstAndTraditional() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        Bundle bundle = BundleReader.fromPem(issued.haproxyPem(), "test");

        String pem = new String(bundle.haproxyPem(), StandardCharsets.US_ASCII);

        List<PemBlock> blocks = PemReader.read(pem, "rendered bundle");
        assertThat(blocks).extracting(PemBlock::label).containsExactly("EC PRIVATE KEY", "CERTIFICATE", "CERTIFICATE");
        assertThat(pem).endsWith(bundle.certificatesPem());
        assertSameEcKey(BundleReader.fromPem(pem, "rendered bundle").key(), (ECPrivateKey) issued.keys().getPrivate());
        assertThat(BundleReader.fromPem(pem, "rendered bundle").certificates()).isEqualTo(bundle.certificates());
    }

    /** The traditional reader's key object is BouncyCastle's: compare the scalar and the curve, not the objects. */
    private static void assertSameEcKey(PrivateKeyMaterial actual, ECPrivateKey expected) {
        ECPrivateKey key = (ECPrivateKey) actual.key();
        assertThat(key.getS().equals(expected.getS())).as("same private scalar").isTrue();
        assertThat(key.getParams().getOrder()).isEqualTo(expected.getParams().getOrder());
        assertThat(key.getParams().getCurve()).isEqualTo(expected.getParams().getCurve());
    }
}
