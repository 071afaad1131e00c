package dev.hapcert.cert;

import dev.hapcert.error.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Bundle} from what ACME clients leave on disk: a certbot lineage, separate certificate, chain and
 * key files, or one combined HAProxy-style PEM. The first certificate is the leaf; the rest is the chain, in the
 * order given, with duplicates removed. The bundle is structurally sound afterwards (one key, at least one
 * certificate, the key belongs to the first certificate or is reported as matching none); whether it is fit to
 * serve (chain order, validity, names) is {@link BundleValidator}'s job.
 */
public final class BundleReader {
    private BundleReader() {
    }

    /**
     * A certbot live directory: {@code fullchain.pem} and {@code privkey.pem}, or {@code cert.pem} and
     * {@code chain.pem} when there is no fullchain.
     */
    public static Bundle fromLineage(Path lineageDir) throws InvalidInputException {
        InputFiles.requireDirectory(lineageDir, "certbot lineage directory");
        Path key = lineageDir.resolve("privkey.pem");
        if (!InputFiles.present(key)) {
            throw new InvalidInputException("certbot lineage directory " + lineageDir + " has no privkey.pem:"
                    + " is it a certbot live directory (for example /etc/letsencrypt/live/example.com)?");
        }
        Path fullchain = lineageDir.resolve("fullchain.pem");
        if (InputFiles.present(fullchain)) {
            return fromFiles(fullchain, null, key);
        }
        Path cert = lineageDir.resolve("cert.pem");
        Path chain = lineageDir.resolve("chain.pem");
        if (!InputFiles.present(cert) || !InputFiles.present(chain)) {
            throw new InvalidInputException("certbot lineage directory " + lineageDir + " has neither fullchain.pem nor"
                    + " cert.pem with chain.pem: is it a certbot live directory?");
        }
        return fromFiles(cert, chain, key);
    }

    /**
     * The certificate (or full chain) file, an optional separate chain file appended after it, and an optional key
     * file; without a key file the key must be inside the certificate file (a combined HAProxy-style PEM).
     */
    public static Bundle fromFiles(Path certOrFullchain, Path chainOrNull, Path keyOrNull) throws InvalidInputException {
        Parts parts = new Parts();
        parts.add(PemReader.read(certOrFullchain), certOrFullchain.toString());
        if (chainOrNull != null) {
            parts.add(PemReader.read(chainOrNull), chainOrNull.toString());
        }
        if (keyOrNull != null) {
            parts.add(PemReader.read(keyOrNull), keyOrNull.toString());
        }
        return parts.toBundle(describe(certOrFullchain, chainOrNull, keyOrNull));
    }

    /** One combined PEM text (certificates and key); {@code origin} names it in messages. */
    public static Bundle fromPem(String combinedPem, String origin) throws InvalidInputException {
        Parts parts = new Parts();
        parts.add(PemReader.read(combinedPem, origin), origin);
        return parts.toBundle(origin);
    }

    private static String describe(Path cert, Path chain, Path key) {
        StringBuilder b = new StringBuilder(cert.toString());
        if (chain != null) {
            b.append(" + ").append(chain);
        }
        if (key != null) {
            b.append(" + ").append(key);
        }
        return b.toString();
    }

    /**
     * The certificates of a PEM file, in the file's order, without a bundle's rules (a file with only certificates,
     * a key without a certificate, several chains): for looking at files, as HAProxy's issuer directory or a bundle on
     * disk. Other blocks, a bundle's key among them, are decoded from base64 but never parsed.
     */
    public static List<X509Certificate> certificates(Path file) throws InvalidInputException {
        List<X509Certificate> certificates = new ArrayList<>();
        for (PemBlock block : PemReader.read(file)) {
            if (block.label().equals("CERTIFICATE")) {
                certificates.add(parseCertificate(block, file.toString(), certificates.size() + 1));
            }
        }
        return certificates;
    }

    /**
     * One {@code CERTIFICATE} block of {@code origin}, the {@code number}th (from 1), for messages. Read as a
     * {@link LazyX509Certificate}, which spares the deploy hook the JDK's security providers; a certificate that
     * BouncyCastle's stricter DER rules refuse (a serial with a superfluous leading byte, say) is given to the JDK.
     */
    static X509Certificate parseCertificate(PemBlock block, String origin, int number) throws InvalidInputException {
        byte[] der = block.der();
        try {
            return LazyX509Certificate.decode(der);
        } catch (IOException e) {
            // The JDK decides below.
        }
        return parseWithTheJdk(der, origin, number);
    }

    /**
     * {@link #parseCertificate}, for a certificate that follows a bundle's leaf: the same instance for the same bytes
     * as one read recently. Every bundle of a store carries the same few intermediates, and a sync holds up to 2,000
     * bundles read ahead; the JDK's certificate factory, which hapcert used before, shared them the same way (a cache
     * by encoding), so a sync of 10,000 needed a tenth less memory than with a copy per bundle.
     */
    static X509Certificate parseChainCertificate(PemBlock block, String origin, int number) throws InvalidInputException {
        ByteBuffer key = ByteBuffer.wrap(block.der());
        X509Certificate known = RECENT_CHAIN_CERTIFICATES.get(key);
        if (known != null) {
            return known;
        }
        X509Certificate parsed = parseCertificate(block, origin, number);
        RECENT_CHAIN_CERTIFICATES.put(key, parsed);
        return parsed;
    }

    private static final int RECENT_CHAIN_CERTIFICATES_KEPT = 32;
    private static final Map<ByteBuffer, X509Certificate> RECENT_CHAIN_CERTIFICATES = Collections.synchronizedMap(
            new LinkedHashMap<>(RECENT_CHAIN_CERTIFICATES_KEPT * 2, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<ByteBuffer, X509Certificate> eldest) {
                    return size() > RECENT_CHAIN_CERTIFICATES_KEPT;
                }
            });

    private static X509Certificate parseWithTheJdk(byte[] der, String origin, int number) throws InvalidInputException {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw new InvalidInputException(origin + ": certificate block #" + number
                    + " is not a valid X.509 certificate: copy the file again from its source", e);
        }
    }

    /** Blocks collected across files, remembering where each key came from. */
    private static final class Parts {
        private final List<X509Certificate> certificates = new ArrayList<>();
        private PrivateKeyMaterial key;
        private String keyOrigin;

        void add(List<PemBlock> blocks, String origin) throws InvalidInputException {
            int certNumber = 0;
            for (PemBlock block : blocks) {
                switch (block.label()) {
                    case "CERTIFICATE" -> {
                        certNumber++;
                        X509Certificate c = certificates.isEmpty() ? parseCertificate(block, origin, certNumber)
                                : parseChainCertificate(block, origin, certNumber);
                        // A fullchain plus a chain file, or a combined PEM plus its chain, repeats intermediates.
                        if (!certificates.contains(c)) {
                            certificates.add(c);
                        }
                    }
                    // OpenSSL writes the curve next to SEC1 keys; the key carries its curve, so this adds nothing.
                    case "EC PARAMETERS" -> { }
                    case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
                         "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY" -> addKey(KeyReader.read(block, origin), origin);
                    default -> throw unsupported(block.label(), origin);
                }
            }
        }

        private void addKey(PrivateKeyMaterial found, String origin) throws InvalidInputException {
            if (key != null && !key.equals(found)) {
                String where = keyOrigin.equals(origin) ? "in " + origin : "in " + keyOrigin + " and in " + origin;
                throw new InvalidInputException("found two different private keys " + where
                        + ": a bundle has exactly one key, the one belonging to the first certificate");
            }
            key = found;
            keyOrigin = origin;
        }

        Bundle toBundle(String origin) throws InvalidInputException {
            if (certificates.isEmpty() && key == null) {
                throw new InvalidInputException(origin + " contains neither a certificate nor a private key");
            }
            if (certificates.isEmpty()) {
                throw new InvalidInputException(origin + " contains a private key but no certificate:"
                        + " also give the certificate file (certbot: fullchain.pem)");
            }
            if (key == null) {
                throw new InvalidInputException(origin + " contains certificates but no private key:"
                        + " also give the key file (certbot: privkey.pem)");
            }
            X509Certificate leaf = certificates.get(0);
            if (!KeyPairCheck.matches(key, leaf)) {
                for (int i = 1; i < certificates.size(); i++) {
                    if (KeyPairCheck.matches(key, certificates.get(i))) {
                        throw new InvalidInputException(origin + ": chain out of order: the private key belongs to "
                                + CertificateNames.describe(certificates.get(i), i)
                                + ", but the certificate the key belongs to must come first");
                    }
                }
                // Not belonging to any certificate is reported by BundleValidator, with the leaf named.
            }
            return new Bundle(leaf, certificates.subList(1, certificates.size()), key);
        }

        private static InvalidInputException unsupported(String label, String origin) {
            String hint = switch (label) {
                case "DH PARAMETERS" -> ": Diffie-Hellman parameters are not carried in the certificate bundle;"
                        + " set `ssl-dh-param-file` in HAProxy's global section instead and remove the block";
                case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST" -> ": that is a signing request, not a"
                        + " certificate; use the certificate your CA issued";
                case "TRUSTED CERTIFICATE" -> ": OpenSSL's trusted-certificate form is not a served certificate;"
                        + " convert it with `openssl x509 -in FILE -out FILE.pem`";
                default -> ": expected only CERTIFICATE and PRIVATE KEY blocks";
            };
            return new InvalidInputException(origin + " contains an unsupported " + label + " block" + hint);
        }
    }
}
