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
 * with a subject key identifier) and then the rest of its chain, and a bundle loaded without a chain is served with
 * the whole chain of the file whose issuer's subject key identifier is the leaf's authority key identifier.
 *
 * <p>Why: HAProxy then parses one certificate less per bundle and keeps one copy of the chain instead of one per
 * certificate (10,000 bundles: 14% less time to load, 20% less memory, measured in bench/README.md). hapcert writes a
 * bundle without its chain only when {@link #completes} says that file holds exactly the bundle's chain, certificate
 * for certificate, so HAProxy serves the same chain either way; anything else keeps its chain.
 */
public final class IssuerChains {
    /** No {@code issuers-chain-path}: every bundle keeps its chain. */
    public static final IssuerChains NONE = new IssuerChains(List.of());

    private static final HexFormat HEX = HexFormat.of();

    /** Every usable file read, so that the files HAProxy read at a given start can be told without reading again. */
    private final List<IssuerFile> files;
    /** Subject key identifier (hex) of each file's issuer -> the file; none when two files share it. */
    private final Map<String, IssuerFile> filesByKeyId;
    /** Subject key identifiers that two or more files claim: which one HAProxy keeps is not worth guessing. */
    private final Set<String> ambiguous;

    /** One usable file: where it is, when it last changed, its issuer's key identifier and its chain (DER). */
    private record IssuerFile(Path path, Instant modified, String keyId, List<byte[]> chain) {
    }

    private IssuerChains(List<IssuerFile> files) {
        Map<String, IssuerFile> usable = new HashMap<>();
        Set<String> shared = new HashSet<>();
        for (IssuerFile file : files) {
            if (usable.putIfAbsent(file.keyId(), file) != null) {
                shared.add(file.keyId());
            }
        }
        shared.forEach(usable::remove);  // such bundles keep their chains
        this.files = List.copyOf(files);
        this.filesByKeyId = Map.copyOf(usable);
        this.ambiguous = Set.copyOf(shared);
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
        List<IssuerFile> usable = new ArrayList<>();
        // Every name, as HAProxy scans it: reading only *.pem would miss an x.crt HAProxy loads, and with it a second
        // file for one issuer, whose chain HAProxy may serve instead of the one hapcert compared.
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path file : entries) {
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                Instant modified = Files.getLastModifiedTime(file).toInstant();
                if (!modified.isBefore(haproxyStarted)) {
                    continue;
                }
                Optional<List<X509Certificate>> chain = readChain(file);
                if (chain.isEmpty()) {
                    continue;
                }
                Optional<String> key = issuerKeyId(chain.get().get(0));
                if (key.isPresent()) {
                    usable.add(new IssuerFile(file, modified, key.get(), encoded(chain.get())));
                }
            }
        } catch (IOException e) {
            throw new ConfigException("cannot read issuers-chain-path " + dir + ": " + e.getMessage(), e);
        }
        return new IssuerChains(usable);
    }

    /**
     * The files of this reading that an HAProxy started at {@code haproxyStarted} has read: as
     * {@link #load load(dir, haproxyStarted)} of the same directory, without reading it again.
     */
    public IssuerChains readBefore(Instant haproxyStarted) {
        return new IssuerChains(files.stream().filter(f -> f.modified().isBefore(haproxyStarted)).toList());
    }

    /**
     * The subject key identifier (hex) HAProxy files a certificate under as an issuer; empty when it would not use
     * it as one (no CA, or no subject key identifier).
     */
    public static Optional<String> issuerKeyId(X509Certificate certificate) {
        Optional<byte[]> keyId = KeyIdentifiers.subjectKeyId(certificate);
        if (keyId.isEmpty() || certificate.getBasicConstraints() < 0) {
            return Optional.empty();
        }
        return Optional.of(HEX.formatHex(keyId.get()));
    }

    /** What this directory holds for a chain (issuer first), as HAProxy reads it. */
    public enum Holding {
        /** A file holds exactly this chain, certificate for certificate. */
        THIS_CHAIN,
        /** The issuer's file holds another chain, or two files claim the issuer. */
        ANOTHER_CHAIN,
        /** No file for this issuer (or the chain's first certificate is no usable issuer). */
        NOTHING
    }

    /** See {@link Holding}. */
    public Holding holding(List<X509Certificate> chain) {
        Optional<String> key = chain.isEmpty() ? Optional.empty() : issuerKeyId(chain.get(0));
        if (key.isEmpty()) {
            return Holding.NOTHING;
        }
        if (ambiguous.contains(key.get())) {
            return Holding.ANOTHER_CHAIN;
        }
        IssuerFile file = filesByKeyId.get(key.get());
        if (file == null) {
            return Holding.NOTHING;
        }
        return sameCertificates(file.chain(), encoded(chain)) ? Holding.THIS_CHAIN : Holding.ANOTHER_CHAIN;
    }

    /** The file of the chain's issuer, when exactly one file holds that issuer. */
    public Optional<Path> fileOf(List<X509Certificate> chain) {
        return chain.isEmpty() ? Optional.empty()
                : issuerKeyId(chain.get(0)).map(filesByKeyId::get).map(IssuerFile::path);
    }

    /**
     * Whether HAProxy, given this bundle without its chain, serves exactly the bundle's chain: the leaf names its
     * issuer by authority key identifier, and the file of that issuer holds the bundle's chain and nothing else.
     */
    public boolean completes(Bundle bundle) {
        if (filesByKeyId.isEmpty() || bundle.chain().isEmpty()) {
            return false;
        }
        Optional<byte[]> authority = KeyIdentifiers.authorityKeyId(bundle.leaf());
        if (authority.isEmpty()) {
            return false;
        }
        IssuerFile file = filesByKeyId.get(HEX.formatHex(authority.get()));
        return file != null && file.chain().size() == bundle.chain().size()
                && sameCertificates(file.chain(), encoded(bundle.chain()));
    }

    private static boolean sameCertificates(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a bundle file is one HAProxy would complete from {@code issuers-chain-path}, and this directory holds no
     * issuer for it: the file has a certificate and no chain, the certificate names an issuer other than itself by
     * authority key identifier, and no file here has that issuer. HAProxy loading such a file serves the certificate
     * without its intermediates.
     *
     * @param certificates the certificates of the bundle file, in the file's order
     */
    public boolean lacksIssuerFor(List<X509Certificate> certificates) {
        if (certificates.size() != 1) {
            return false;
        }
        X509Certificate leaf = certificates.get(0);
        Optional<byte[]> authority = KeyIdentifiers.authorityKeyId(leaf);
        if (authority.isEmpty() || leaf.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
            return false;
        }
        String key = HEX.formatHex(authority.get());
        return !filesByKeyId.containsKey(key) && !ambiguous.contains(key);
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
        return carriedBy(bundleFiles).stream().findFirst().map(c -> new SharedChain(c.issuer(), c.bundles()));
    }

    /** A chain that bundle files carry after their leaf, issuer first, and how many carry it. */
    public record CarriedChain(List<X509Certificate> certificates, int bundles) {
        public CarriedChain {
            certificates = List.copyOf(certificates);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("a chain has at least one certificate");
            }
        }

        /** The issuer's subject, as X.500 text. */
        public String issuer() {
            return certificates.get(0).getSubjectX500Principal().getName();
        }
    }

    /**
     * The distinct chains these bundle files carry, certificate for certificate, the most carried first (then by
     * issuer). Files without a chain, or that cannot be read, count for nothing.
     */
    public static List<CarriedChain> carriedBy(List<Path> bundleFiles) {
        ChainCount count = new ChainCount();
        for (Path file : bundleFiles) {
            try {
                count.add(BundleReader.certificates(file));
            } catch (InvalidInputException | RuntimeException e) {
                // counts for nothing
            }
        }
        return count.carried();
    }

    /**
     * The distinct chains of bundles handed in one at a time, keeping one copy of each: what a store of 50,000
     * certificates carries is counted without holding 50,000 parsed certificates.
     */
    public static final class ChainCount {
        private final Map<List<ByteBuffer>, Integer> counts = new HashMap<>();
        private final Map<List<ByteBuffer>, List<X509Certificate>> chains = new HashMap<>();

        /** One bundle's certificates, leaf first; a bundle without a chain counts for nothing. */
        public void add(List<X509Certificate> certificates) {
            if (certificates.size() < 2) {
                return;
            }
            List<X509Certificate> chain = certificates.subList(1, certificates.size());
            List<ByteBuffer> key = encoded(chain).stream().map(ByteBuffer::wrap).toList();
            counts.merge(key, 1, Integer::sum);
            chains.putIfAbsent(key, List.copyOf(chain));
        }

        /** The chains counted, the most carried first (then by issuer). */
        public List<CarriedChain> carried() {
            List<CarriedChain> carried = new ArrayList<>();
            counts.forEach((key, n) -> carried.add(new CarriedChain(chains.get(key), n)));
            carried.sort(java.util.Comparator.comparingInt(CarriedChain::bundles).reversed()
                    .thenComparing(CarriedChain::issuer));
            return List.copyOf(carried);
        }
    }

    /** How many issuer files are usable. */
    public int size() {
        return filesByKeyId.size();
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
        return "IssuerChains[" + filesByKeyId.size() + " issuer(s)]";
    }
}
