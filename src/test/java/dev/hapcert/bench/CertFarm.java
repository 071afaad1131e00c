package dev.hapcert.bench;

import dev.hapcert.testkit.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Mints certificates for the benchmarks, fast and shaped like a public CA's: a P-256 root and intermediate, P-256
 * leaves with key identifiers, SAN, key usages and serverAuth, keys in PKCS#8 as OpenSSL (certbot) writes them.
 * Leaves are made in parallel: 10,000 bundles take seconds.
 *
 * <pre>
 * CertFarm bundles DIR COUNT [PREFIX]   DIR/PREFIX-i.pem for i in [0, COUNT): leaf, intermediate and key in one file,
 *                                       and DIR/crt-list.txt naming them (absolute paths); valid from two days ago
 * CertFarm lineages DIR NAME COUNT      DIR/NAME/k/{fullchain,privkey}.pem for k in [0, COUNT): renewals of one name,
 *                                       each valid from one second after the one before, all newer than the bundles
 * </pre>
 * Names are {@code PREFIX-i.bench.test}. Keys are written 0600. Nothing is printed but a one-line summary.
 */
public final class CertFarm {
    private static final String DOMAIN = ".bench.test";
    private static final Instant NOW = Instant.now();
    private static final Instant FIRST_ISSUE = NOW.minus(Duration.ofDays(2));
    private static final AtomicLong SERIALS = new AtomicLong(NOW.toEpochMilli() << 8);

    private final KeyPair caKeys = newKey();
    private final X509Certificate root;
    private final KeyPair intermediateKeys = newKey();
    private final X509Certificate intermediate;
    private final String intermediatePem;

    private CertFarm() {
        X500Name rootName = new X500Name("CN=hapcert bench root");
        root = sign(rootName, caKeys, rootName, caKeys, null, true, null, FIRST_ISSUE.minus(Duration.ofDays(1)));
        intermediate = sign(new X500Name("CN=hapcert bench CA"), intermediateKeys, rootName, caKeys, root, true, null,
                FIRST_ISSUE.minus(Duration.ofDays(1)));
        intermediatePem = TestCertificates.pem(intermediate);
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            usage();
        }
        long started = System.nanoTime();
        Path dir = Path.of(args[1]).toAbsolutePath();
        CertFarm farm = new CertFarm();
        int written = switch (args[0]) {
            case "bundles" -> farm.bundles(dir, Integer.parseInt(args[2]), args.length > 3 ? args[3] : "site");
            case "lineages" -> {
                if (args.length < 4) {
                    usage();
                }
                yield farm.lineages(dir, args[2], Integer.parseInt(args[3]));
            }
            default -> {
                usage();
                yield 0;
            }
        };
        System.out.printf("certfarm: %d certificates in %d ms%n", written, (System.nanoTime() - started) / 1_000_000);
    }

    int bundles(Path dir, int count, String prefix) {
        mkdirs(dir);
        String[] lines = new String[count];
        IntStream.range(0, count).parallel().forEach(i -> {
            String name = prefix + "-" + i;
            KeyPair keys = newKey();
            X509Certificate leaf = leaf(name + DOMAIN, keys, FIRST_ISSUE);
            Path file = dir.resolve(name + ".pem");
            writeSecret(file, TestCertificates.pem(leaf) + intermediatePem + opensslPkcs8Pem(keys));
            lines[i] = file + "\n";
        });
        write(dir.resolve("crt-list.txt"), String.join("", lines));
        return count;
    }

    int lineages(Path dir, String name, int count) {
        Instant base = NOW.minus(Duration.ofDays(1));
        IntStream.range(0, count).parallel().forEach(k -> {
            KeyPair keys = newKey();
            X509Certificate leaf = leaf(name + DOMAIN, keys, base.plusSeconds(k));
            Path lineage = dir.resolve(name).resolve(Integer.toString(k));
            mkdirs(lineage);
            write(lineage.resolve("fullchain.pem"), TestCertificates.pem(leaf) + intermediatePem);
            writeSecret(lineage.resolve("privkey.pem"), opensslPkcs8Pem(keys));
        });
        return count;
    }

    private X509Certificate leaf(String dnsName, KeyPair keys, Instant from) {
        return sign(new X500Name("CN=" + dnsName), keys, new X500Name("CN=hapcert bench CA"), intermediateKeys,
                intermediate, false, dnsName, from);
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                        X509Certificate issuerCert, boolean ca, String dnsName, Instant from) {
        try {
            JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(from), Date.from(from.plus(Duration.ofDays(90))),
                    subject, subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            b.addExtension(Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(subjectKeys.getPublic()));
            if (issuerCert != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false, ids.createAuthorityKeyIdentifier(issuerCert));
            }
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * PKCS#8 as OpenSSL (and so certbot) writes an EC key: with the public point inside, which the JDK's own
     * encoding leaves out.
     */
    static String opensslPkcs8Pem(KeyPair keys) {
        try {
            ECPrivateKey key = (ECPrivateKey) keys.getPrivate();
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                    key.getParams().getOrder().bitLength(), key.getS(), spki.getPublicKeyData(), null);
            return TestCertificates.pemBlock("PRIVATE KEY",
                    new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), sec1).getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeSecret(Path file, String text) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void usage() {
        System.err.println("usage: CertFarm bundles DIR COUNT [PREFIX] | CertFarm lineages DIR NAME COUNT");
        System.exit(2);
    }
}
