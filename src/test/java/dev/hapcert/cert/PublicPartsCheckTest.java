package dev.hapcert.cert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hapcert.testkit.TestCertificates.Issued;
import dev.hapcert.testkit.TestCertificates.KeyType;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * The cheap checks of the deploy hook's path: key against certificate by public parts, issuer by key identifier.
 * Each answers what the signature-based check answers, except where OpenSSL itself would answer otherwise.
 */
class PublicPartsCheckTest {
    @Test
    void anOpenSslStyleEcKeyMatchesItsCertificateByItsPublicPoint() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        PrivateKeyMaterial key = pkcs8(Fixtures.opensslStylePkcs8(issued.keys(), issued.keys().getPublic()));
        assertThat(Pkcs8Header.embeddedEcPublicKey(key.der())).isPresent();
        assertThat(KeyPairCheck.matches(key, issued.leaf().getPublicKey())).isTrue();
        assertThat(KeyPairCheck.matches(key, Fixtures.leaf(KeyType.EC_P384).leaf().getPublicKey())).isFalse();
        assertThat(KeyPairCheck.matches(key, Fixtures.INTERMEDIATE.certificate().getPublicKey())).isFalse();
    }

    @Test
    void theEmbeddedPointDecidesAsItDoesForOpenSsl() throws Exception {
        // A damaged key: this certificate's scalar with another key's point. A signature check would accept it;
        // OpenSSL compares public keys and HAProxy refuses the bundle, so hapcert must refuse it too.
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        KeyPair other = ecKeys();
        PrivateKeyMaterial key = pkcs8(Fixtures.opensslStylePkcs8(issued.keys(), other.getPublic()));
        assertThat(KeyPairCheck.matches(key, issued.leaf().getPublicKey())).isFalse();
        assertThat(KeyPairCheck.matches(key.key(), issued.leaf().getPublicKey())).isTrue();
    }

    @Test
    void certificatesReadByHapcertAreMatchedByTheirEncodedPoint() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        PrivateKeyMaterial key = pkcs8(Fixtures.opensslStylePkcs8(issued.keys(), issued.keys().getPublic()));
        assertThat(KeyPairCheck.matches(key, lazy(issued.leaf()))).isTrue();
        assertThat(KeyPairCheck.matches(key, lazy(Fixtures.leaf(KeyType.EC_P384).leaf()))).isFalse();
        assertThat(KeyPairCheck.matches(key, lazy(Fixtures.INTERMEDIATE.certificate()))).isFalse();
        assertThat(KeyPairCheck.matches(key, lazy(Fixtures.leaf(KeyType.RSA_2048).leaf()))).isFalse();
        PrivateKeyMaterial damaged = pkcs8(Fixtures.opensslStylePkcs8(issued.keys(), ecKeys().getPublic()));
        assertThat(KeyPairCheck.matches(damaged, lazy(issued.leaf()))).isFalse();
        // Without its point the JDK's keys decide, as for any certificate.
        PrivateKeyMaterial jdkEncoded = pkcs8(issued.keys().getPrivate().getEncoded());
        assertThat(KeyPairCheck.matches(jdkEncoded, lazy(issued.leaf()))).isTrue();
        assertThat(KeyPairCheck.matches(jdkEncoded, lazy(Fixtures.INTERMEDIATE.certificate()))).isFalse();
        PrivateKeyMaterial rsa = pkcs8(Fixtures.leaf(KeyType.RSA_2048).keys().getPrivate().getEncoded());
        assertThat(KeyPairCheck.matches(rsa, lazy(Fixtures.leaf(KeyType.RSA_2048).leaf()))).isTrue();
        assertThat(KeyPairCheck.matches(rsa, lazy(issued.leaf()))).isFalse();
    }

    private static X509Certificate lazy(X509Certificate certificate) throws Exception {
        return LazyX509Certificate.decode(certificate.getEncoded());
    }

    @Test
    void keysWithoutTheirPublicPartFallBackToASignature() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.EC_P256);
        PrivateKeyMaterial jdkEncoded = pkcs8(issued.keys().getPrivate().getEncoded());
        assertThat(Pkcs8Header.embeddedEcPublicKey(jdkEncoded.der())).isEmpty();
        assertThat(KeyPairCheck.matches(jdkEncoded, issued.leaf().getPublicKey())).isTrue();
        assertThat(KeyPairCheck.matches(jdkEncoded, Fixtures.INTERMEDIATE.certificate().getPublicKey())).isFalse();
    }

    @Test
    void rsaKeysMatchByModulusAndExponent() throws Exception {
        Issued issued = Fixtures.leaf(KeyType.RSA_2048);
        PrivateKeyMaterial key = pkcs8(issued.keys().getPrivate().getEncoded());
        assertThat(KeyPairCheck.matches(key, issued.leaf().getPublicKey())).isTrue();
        PublicKey otherRsa = Fixtures.ROOT.intermediate("other RSA", KeyType.RSA_2048).certificate().getPublicKey();
        assertThat(KeyPairCheck.matches(key, otherRsa)).isFalse();
    }

    @Test
    void issuersAreRecognisedByKeyIdentifier() throws Exception {
        KeyPair caKeys = ecKeys();
        KeyPair impostorKeys = ecKeys();
        X509Certificate ca = cert("CN=Same Name CA", caKeys, "CN=Same Name CA", caKeys, null);
        X509Certificate impostor = cert("CN=Same Name CA", impostorKeys, "CN=Same Name CA", impostorKeys, null);
        X509Certificate leaf = cert("CN=leaf.example.test", ecKeys(), "CN=Same Name CA", caKeys, ca);
        assertThat(KeyIdentifiers.issuedBy(leaf, ca)).contains(true);
        assertThat(KeyIdentifiers.issuedBy(leaf, impostor)).contains(false);
        // Certificates without identifiers leave it to a signature check.
        X509Certificate bareCa = cert("CN=Bare CA", caKeys, "CN=Bare CA", caKeys, null, false);
        X509Certificate bareLeaf = cert("CN=bare.example.test", ecKeys(), "CN=Bare CA", caKeys, null, false);
        assertThat(KeyIdentifiers.issuedBy(bareLeaf, bareCa)).isEmpty();
        assertThat(KeyIdentifiers.issuedBy(bareLeaf, ca)).as("the leaf names no issuer key").isEmpty();
    }

    private static PrivateKeyMaterial pkcs8(byte[] der) throws Exception {
        return KeyReader.read(new PemBlock("PRIVATE KEY", der), "test key");
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** PKCS#8 with the public point inside, as OpenSSL writes it; {@code point} may belong to another key. */
    private static X509Certificate cert(String subject, KeyPair keys, String issuer, KeyPair issuerKeys,
                                        X509Certificate issuerCert) throws Exception {
        return cert(subject, keys, issuer, issuerKeys, issuerCert, true);
    }

    private static X509Certificate cert(String subject, KeyPair keys, String issuer, KeyPair issuerKeys,
                                        X509Certificate issuerCert, boolean identifiers) throws Exception {
        JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject),
                keys.getPublic());
        if (identifiers) {
            b.addExtension(Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(keys.getPublic()));
        }
        if (identifiers && issuerCert != null) {
            b.addExtension(Extension.authorityKeyIdentifier, false, ids.createAuthorityKeyIdentifier(issuerCert));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }
}
