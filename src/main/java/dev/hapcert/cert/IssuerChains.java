package dev.hapcert.cert;

import dev.hapcert.error.ConfigException;
import dev.hapcert.error.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The chains an HAProxy loads from its {@code issuers-chain-path}, as HAProxy 2.6 reads them: every regular file of
 * the directory, whatever its name ({@code .pem}, {@code .crt}, even a hidden one), holds an issuer (a CA certificate
 * with a subject key identifier) and then the rest of its chain, and a bundle loaded without a chain is served with the whole chain of the file whose issuer's
 * subject key identifier is the leaf's authority key identifier.
 *
 * <p>Why: HAProxy then parses one certificate less per bundle and keeps one copy of the chain instead of one per
 * certificate (10,000 bundles: 14% less time to load, 20% less memory, measured in bench/README.md). hapcert writes a
 * bundle without its chain only when {@link #completes} says that file holds exactly the bundle's chain, certificate
 * for certificate, so HAProxy serves the same chain either way; anything else keeps its chain.
 */
public final class IssuerChains {
    /** No {@code issuers-chain-path}: every bundle keeps its chain. */
    public static final IssuerChains NONE = new IssuerChains(Map.of());

    private static final HexFormat HEX = HexFormat.of();

    /** Subject key identifier (hex) of each file's issuer -> the file's certificates, DER; none when two files share it. */
    private final Map<String, List<byte[]>> chainsByKeyId;

    private IssuerChains(Map<String, List<byte[]>> chainsByKeyId) {
        this.chainsByKeyId = chainsByKeyId;
    }

    /**
     * Reads the directory as HAProxy does. A file HAProxy would not use (no certificate, the first one no CA or
     * without a subject key identifier, not PEM) is skipped here too, and so is a file changed at or after
     * {@code haproxyStarted}: HAProxy reads the directory only when it starts, so it may not hold that file's chain.
     *
     * @param dir the directory on this host
     * @param haproxyStarted when the running HAProxy started (at the latest), or {@link Instant#MAX} for one that is
     *     about to start
     * @throws ConfigException when the directory cannot be read
     */
    public static IssuerChains load(Path dir, Instant haproxyStarted) throws ConfigException {
        Map<String, List<byte[]>> chains = new HashMap<>();
        Set<String> shared = new HashSet<>();
        // Every name, as HAProxy scans it: reading only *.pem would miss an x.crt HAProxy loads, and with it a second
        // file for one issuer, whose chain HAProxy may serve instead of the one hapcert compared.
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (!Files.isRegularFile(file)
                        || !Files.getLastModifiedTime(file).toInstant().isBefore(haproxyStarted)) {
                    continue;
                }
                Optional<List<X509Certificate>> chain = readChain(file);
                if (chain.isEmpty()) {
                    continue;
                }
                Optional<byte[]> keyId = KeyIdentifiers.subjectKeyId(chain.get().get(0));
                if (keyId.isEmpty() || chain.get().get(0).getBasicConstraints() < 0) {
                    continue;
                }
                String key = HEX.formatHex(keyId.get());
                if (chains.putIfAbsent(key, encoded(chain.get())) != null) {
                    shared.add(key);
                }
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read issuers-chain-path " + dir + ": " + e.getMessage(), e);
        }
        shared.forEach(chains::remove);  // which file HAProxy keeps is not worth guessing: such bundles keep chains
        return new IssuerChains(Map.copyOf(chains));
    }

    /**
     * Whether HAProxy, given this bundle without its chain, serves exactly the bundle's chain: the leaf names its
     * issuer by authority key identifier, and the file of that issuer holds the bundle's chain and nothing else.
     */
    public boolean completes(Bundle bundle) {
        if (chainsByKeyId.isEmpty() || bundle.chain().isEmpty()) {
            return false;
        }
        Optional<byte[]> authority = KeyIdentifiers.authorityKeyId(bundle.leaf());
        if (authority.isEmpty()) {
            return false;
        }
        List<byte[]> file = chainsByKeyId.get(HEX.formatHex(authority.get()));
        if (file == null || file.size() != bundle.chain().size()) {
            return false;
        }
        List<byte[]> chain = encoded(bundle.chain());
        for (int i = 0; i < file.size(); i++) {
            if (!Arrays.equals(file.get(i), chain.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a bundle file is one HAProxy would complete from {@code issuers-chain-path}, and this directory holds no
     * issuer for it: the file has a certificate and no chain, the certificate names an issuer other than itself by
     * authority key identifier, and no file here has that issuer. HAProxy loading such a file serves the certificate
     * without its intermediates. False for a file that cannot be read as PEM (other checks report those).
     */
    public boolean lacksIssuerFor(Path bundleFile) {
        try {
            return lacksIssuerFor(BundleReader.certificates(bundleFile));
        } catch (InvalidInputException | RuntimeException e) {
            return false;
        }
    }

    /** As {@link #lacksIssuerFor(Path)}, for the certificates of a bundle file, in the file's order. */
    public boolean lacksIssuerFor(List<X509Certificate> certificates) {
        if (certificates.size() != 1) {
            return false;
        }
        X509Certificate leaf = certificates.get(0);
        Optional<byte[]> authority = KeyIdentifiers.authorityKeyId(leaf);
        if (authority.isEmpty() || leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
            return false;
        }
        return !chainsByKeyId.containsKey(HEX.formatHex(authority.get()));
    }

    /** The chain that most bundle files carry: its first certificate's subject, and how many files carry it. */
    public record SharedChain(String issuer, int bundles) {
    }

    /**
     * Of these bundle files, the chain most of them carry, certificate for certificate: the file an
     * {@code issuers-chain-path} would need so that HAProxy keeps one copy of it. Files without a chain, or that
     * cannot be read, count for nothing. Empty when none has a chain.
     */
    public static Optional<SharedChain> mostShared(List<Path> bundleFiles) {
        Map<List<ByteBuffer>, Integer> counts = new HashMap<>();
        Map<List<ByteBuffer>, X509Certificate> firsts = new HashMap<>();
        for (Path file : bundleFiles) {
            List<X509Certificate> certificates;
            try {
                certificates = BundleReader.certificates(file);
            } catch (InvalidInputException | RuntimeException e) {
                continue;
            }
            if (certificates.size() < 2) {
                continue;
            }
            List<X509Certificate> chain = certificates.subList(1, certificates.size());
            List<ByteBuffer> key = encoded(chain).stream().map(ByteBuffer::wrap).toList();
            counts.merge(key, 1, Integer::sum);
            firsts.putIfAbsent(key, chain.get(0));
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> new SharedChain(firsts.get(e.getKey()).getSubjectX500Principal().getName(), e.getValue()));
    }

    /** How many issuer files are usable. */
    public int size() {
        return chainsByKeyId.size();
    }

    private static Optional<List<X509Certificate>> readChain(Path file) {
        try {
            List<X509Certificate> chain = BundleReader.certificates(file);
            return chain.isEmpty() ? Optional.empty() : Optional.of(chain);
        } catch (InvalidInputException | RuntimeException e) {
            return Optional.empty();  // HAProxy would not load it either
        }
    }

    private static List<byte[]> encoded(List<X509Certificate> certificates) {
        List<byte[]> out = new ArrayList<>(certificates.size());
        for (X509Certificate c : certificates) {
            try {
                out.add(c.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("certificate cannot be re-encoded", e);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "IssuerChains[" + chainsByKeyId.size() + " issuer(s)]";
    }
}
