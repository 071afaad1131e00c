package dev.hapcert.cert;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A certificate ready to deploy: the leaf, the chain served after it (intermediates, leaf excluded), and the
 * private key. Built by {@link BundleReader}; checked by {@link BundleValidator}. Derived values are spelled the way
 * HAProxy's {@code show ssl cert} prints them, and {@link #haproxyPem()} is exactly what is written to disk and
 * sent over the Runtime API.
 */
public record Bundle(X509Certificate leaf, List<X509Certificate> chain, PrivateKeyMaterial key) {
    public Bundle {
        Objects.requireNonNull(leaf, "leaf");
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
    }

    /** Leaf first, then the chain. */
    public List<X509Certificate> certificates() {
        List<X509Certificate> all = new ArrayList<>(chain.size() + 1);
        all.add(leaf);
        all.addAll(chain);
        return List.copyOf(all);
    }

    /** SAN DNS names of the leaf, lower-case, in certificate order; the subject CN only if there is no SAN DNS name. */
    public List<String> dnsNames() {
        return CertificateNames.dnsNames(leaf);
    }

    /** The leaf's serial as HAProxy prints it ({@code Serial:}); see {@link HaproxyCertFormat#serial}. */
    public String serialHex() {
        return HaproxyCertFormat.serial(leaf);
    }

    /** SHA-1 of the leaf's DER, upper-case hex without colons, as HAProxy's {@code SHA1 FingerPrint:}. */
    public String sha1Fingerprint() {
        return HaproxyCertFormat.sha1Fingerprint(leaf);
    }

    public Instant notBefore() {
        return leaf.getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf.getNotAfter().toInstant();
    }

    /** {@code EC256}, {@code RSA2048}, ... as HAProxy's {@code Algorithm:}; see {@link HaproxyCertFormat#keyDescription}. */
    public String keyDescription() {
        return HaproxyCertFormat.keyDescription(leaf.getPublicKey());
    }

    /** Leaf then chain, canonical PEM (64 columns, LF, no blank lines, final newline). */
    public String certificatesPem() {
        return certificatesPem(true);
    }

    /** {@link #certificatesPem()}, or the leaf alone without {@code withChain}. */
    public String certificatesPem(boolean withChain) {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : withChain ? certificates() : List.of(leaf())) {
            try {
                b.append(new PemBlock("CERTIFICATE", c.getEncoded()).toPem());
            } catch (CertificateEncodingException e) {
                // The certificate was decoded from these very bytes, so it can always be encoded again.
                throw new IllegalStateException("certificate cannot be re-encoded", e);
            }
        }
        return b.toString();
    }

    /** The key's canonical PEM, in the form HAProxy is given ({@link PrivateKeyMaterial#haproxyPem()}). */
    public String keyPem() {
        return key.haproxyPem();
    }

    /**
     * Key, then leaf, then chain; LF only, no blank lines, final newline: the file HAProxy loads. A blank line would
     * end a Runtime API payload early, so this form is also safe to send as {@code set ssl cert <name> <<} payload.
     *
     * <p>The key comes first because HAProxy reads a bundle in passes, the key before the certificates, starting
     * over each time: on OpenSSL 3 every block in front of the key is offered to every key decoder first. The leaf
     * is still the first certificate, so the chain order HAProxy serves is unchanged.
     */
    public byte[] haproxyPem() {
        return haproxyPem(true);
    }

    /**
     * {@link #haproxyPem()}, or without {@code withChain} key and leaf only: for an HAProxy that completes the chain
     * from its {@code issuers-chain-path} ({@link IssuerChains}).
     */
    public byte[] haproxyPem(boolean withChain) {
        return (keyPem() + certificatesPem(withChain)).getBytes(StandardCharsets.US_ASCII);
    }

    /** Names, serial and expiry only: never key material. */
    @Override
    public String toString() {
        return "Bundle[names=" + dnsNames() + ", serial=" + serialHex() + ", notAfter=" + notAfter() + "]";
    }
}
