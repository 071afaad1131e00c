package dev.hapcert.deploy;

import dev.hapcert.cert.IssuerChains;
import dev.hapcert.cert.PemBlock;
import dev.hapcert.config.FileOwnership;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.store.AtomicFileWriter;
import dev.hapcert.store.CrtListFile;
import dev.hapcert.store.CrtListLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The files an {@code issuers-chain-path} directory needs for the chains a target's bundles carry, and their writing.
 * With a file there holding exactly a bundle's chain, read by HAProxy at its start, hapcert writes and sends that
 * bundle without its chain and HAProxy keeps one copy of the chain: a bulk load parses one certificate less per
 * bundle (10,000 bundles: about 14% less time, 20% less memory; bench/README.md).
 *
 * <p>A file is only ever added for an issuer that has none. A second file for an issuer would leave HAProxy to keep
 * one of the two, and bundles written without their chain already rely on the first. Files are never changed or
 * removed here either: those bundles would be served without intermediates after the next restart.
 */
public final class IssuerFiles {
    private IssuerFiles() {
    }

    /** Where the directory stands for one chain. */
    public enum State {
        /**
         * A file holds this chain and HAProxy read it when it started: these bundles still carry the chain, and the
         * next sync (or renewal) writes them without it.
         */
        IN_USE("in use: a sync writes these bundles without it"),
        /** A file holds this chain but came after HAProxy started: used once HAProxy reloads. */
        AFTER_RELOAD("written after HAProxy started: used from its next reload"),
        /** A file holds this chain; whether HAProxy read it is not known (it was not asked). */
        HELD("held"),
        /** The issuer's file holds another chain, or two files claim the issuer: bundles keep their chain. */
        OTHER_CHAIN("the issuer's file there holds another chain: bundles keep theirs; nothing is written for it"),
        /** No file for this issuer: {@link #write} adds one. */
        MISSING("no file"),
        /** The chain starts with no CA certificate that has a subject key identifier: HAProxy could not use it. */
        NOT_AN_ISSUER("not usable as an issuer file (no CA certificate with a subject key identifier first)");

        private final String description;

        State(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** One chain the crt-list's bundles carry, how many carry it, and what the directory holds for it. */
    public record ChainEntry(IssuerChains.CarriedChain chain, State state, Optional<Path> file) {
        public String issuer() {
            return chain.issuer();
        }

        public int bundles() {
            return chain.bundles();
        }
    }

    /**
     * The chains of a target's crt-list, or of a source's certificates, as seen from the directory.
     *
     * @param source the source the chains were read from (as {@code --source} names it); empty for the crt-list's
     *     bundles
     * @param bundles how many bundles the crt-list names (with an absolute path), or how many certificates the source
     *     gave
     * @param dir the directory on this host; empty when the target has none and none was given
     */
    public record Survey(String target, String crtList, Optional<String> source, int bundles, Optional<Path> dir,
                         List<ChainEntry> chains) {
        public Survey {
            chains = List.copyOf(chains);
        }

        /** The chains that {@link #write} would add a file for. */
        public List<ChainEntry> missing() {
            return chains.stream().filter(c -> c.state() == State.MISSING).toList();
        }
    }

    /** A crt-list line's bundle: as the line writes it, and where it is on this host. */
    public record ListedBundle(String asWritten, Path onHost) {
    }

    /**
     * The bundles the target's crt-list names with an absolute path, one per line, in the file's order; none when
     * the file is missing or unreadable or a path maps nowhere (doctor's other checks report those). A relative path
     * depends on HAProxy's crt-base and working directory: not guessed here.
     */
    public static List<ListedBundle> listedBundles(TargetConfig target) {
        List<ListedBundle> bundles = new ArrayList<>();
        try {
            Path crtList = target.paths().toHost(target.crtList());
            if (!Files.isRegularFile(crtList)) {
                return List.of();
            }
            for (CrtListLine line : CrtListFile.read(crtList).entries()) {
                if (line.certificate().startsWith("/")) {
                    bundles.add(new ListedBundle(line.certificate(), target.paths().toHost(line.certificate())));
                }
            }
        } catch (ConfigException e) {
            return List.of();
        }
        return bundles;
    }

    /**
     * The directory this target's HAProxy completes chains from, on this host: its {@code issuers-chain-path}, mapped
     * by its paths.
     */
    public static Optional<Path> directoryOf(TargetConfig target) throws ConfigException {
        return target.issuersChainPath().isEmpty() ? Optional.empty()
                : Optional.of(target.paths().toHost(target.issuersChainPath().get()));
    }

    /**
     * A target as its HAProxy is reached: the paths to use on this host (for a container, mapped from its mounts when
     * so configured) and when it started, which tells files it read from files it has not.
     */
    public record Reached(TargetConfig target, Optional<Instant> started) {
    }

    /**
     * Reaches the target's HAProxy the way deploy does. When it cannot be reached, or does not say its uptime, the
     * configured target comes back without a start (and a notice says why).
     */
    public static Reached reach(TargetConfig target, Consumer<String> notices) {
        try (TargetConnector.Resolved resolved = TargetConnector.resolve(target, List.of(), notices)) {
            TargetConfig effective = resolved.target();
            try {
                return new Reached(effective, Optional.of(resolved.client().startedBy()));
            } catch (HapcertException e) {
                notices.accept(target.name() + ": cannot tell when HAProxy started (" + e.getMessage() + ")");
                return new Reached(effective, Optional.empty());
            }
        } catch (HapcertException e) {
            notices.accept(target.name() + ": cannot reach HAProxy (" + e.getMessage() + ")");
            return new Reached(target, Optional.empty());
        }
    }

    /**
     * Each chain the target's crt-list bundles carry, the most carried first, against {@code dir}.
     *
     * @param haproxyStarted when the HAProxy that reads {@code dir} started; empty if not known
     * @throws ConfigException when {@code dir} exists but cannot be read
     */
    public static Survey survey(TargetConfig target, Optional<Path> dir, Optional<Instant> haproxyStarted)
            throws ConfigException {
        List<Path> bundles = listedBundles(target).stream().map(ListedBundle::onHost).toList();
        return survey(target, Optional.empty(), bundles.size(), IssuerChains.carriedBy(bundles), dir, haproxyStarted);
    }

    /**
     * As {@link #survey(TargetConfig, Optional, Optional)}, for the chains of certificates read from a source (a
     * first bulk deploy can then go without chains: the crt-list has no bundles yet).
     *
     * @param source the source, as {@code --source} names it
     * @param certificates how many certificates the source gave
     * @param carried their chains ({@link IssuerChains.ChainCount#carried}), the same for every target
     */
    public static Survey survey(TargetConfig target, String source, int certificates,
                                List<IssuerChains.CarriedChain> carried, Optional<Path> dir,
                                Optional<Instant> haproxyStarted) throws ConfigException {
        return survey(target, Optional.of(source), certificates, carried, dir, haproxyStarted);
    }

    private static Survey survey(TargetConfig target, Optional<String> source, int bundles,
                                 List<IssuerChains.CarriedChain> carried, Optional<Path> dir,
                                 Optional<Instant> haproxyStarted) throws ConfigException {
        IssuerChains all = IssuerChains.NONE;
        IssuerChains read = IssuerChains.NONE;
        if (dir.isPresent() && Files.isDirectory(dir.get())) {
            all = IssuerChains.load(dir.get(), Instant.MAX);
            read = haproxyStarted.isPresent() ? all.readBefore(haproxyStarted.get()) : all;
        }
        Optional<IssuerChains> readByHaproxy = haproxyStarted.isPresent() ? Optional.of(read) : Optional.empty();
        return new Survey(target.name(), target.crtList(), source, bundles, dir, entries(carried, all, readByHaproxy));
    }

    /**
     * Where a directory stands for each chain, in the order given.
     *
     * @param all every usable file of the directory ({@link IssuerChains#load} up to {@link Instant#MAX})
     * @param readByHaproxy the files HAProxy read when it started; empty when it was not asked, and then a chain a
     *     file holds is {@link State#HELD}
     */
    public static List<ChainEntry> entries(List<IssuerChains.CarriedChain> carried, IssuerChains all,
                                           Optional<IssuerChains> readByHaproxy) {
        List<ChainEntry> entries = new ArrayList<>();
        for (IssuerChains.CarriedChain chain : carried) {
            entries.add(new ChainEntry(chain, state(chain, all, readByHaproxy), all.fileOf(chain.certificates())));
        }
        return entries;
    }

    private static State state(IssuerChains.CarriedChain chain, IssuerChains all,
                               Optional<IssuerChains> readByHaproxy) {
        List<X509Certificate> certificates = chain.certificates();
        if (IssuerChains.issuerKeyId(certificates.get(0)).isEmpty()) {
            return State.NOT_AN_ISSUER;
        }
        return switch (all.holding(certificates)) {
            case THIS_CHAIN -> readByHaproxy.isEmpty() ? State.HELD
                    : readByHaproxy.get().holding(certificates) == IssuerChains.Holding.THIS_CHAIN ? State.IN_USE
                    : State.AFTER_RELOAD;
            case ANOTHER_CHAIN -> State.OTHER_CHAIN;
            case NOTHING -> State.MISSING;
        };
    }

    /**
     * Writes the file for a {@link State#MISSING} chain into {@code dir}: the chain's certificates, issuer first,
     * atomically (a temp file, fsynced, renamed, the directory fsynced). The name says the issuer and cannot collide
     * with another issuer's: its common name and the start of its subject key identifier.
     *
     * @param ownership the target's ({@code files.mode}, {@code files.group}): the HAProxy that reads its bundles
     *     reads this file too
     * @return the file written
     * @throws ConfigException when the file cannot be written, or one of that name is there already
     */
    public static Path write(Path dir, ChainEntry entry, FileOwnership ownership) throws ConfigException {
        if (entry.state() != State.MISSING) {
            throw new IllegalArgumentException("only a missing chain gets a file, not one that is " + entry.state());
        }
        Path file = dir.resolve(fileName(entry.chain().certificates().get(0)));
        if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new ConfigException(file + " is there already, though no usable file for " + entry.issuer()
                    + " was found a moment ago (written meanwhile, or not a CA certificate HAProxy can use): look at"
                    + " it, move it away if it is not the issuer's, and run again");
        }
        StringBuilder pem = new StringBuilder();
        for (X509Certificate c : entry.chain().certificates()) {
            try {
                pem.append(new PemBlock("CERTIFICATE", c.getEncoded()).toPem());
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("certificate cannot be re-encoded", e);
            }
        }
        // A temp file left by a crash would be read by HAProxy too (it loads every file there): a second file for
        // its issuer. Such leftovers go first.
        AtomicFileWriter.removeStaleTemps(dir);
        AtomicFileWriter.write(file, pem.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII), ownership);
        return file;
    }

    /** {@code <common name>-<first 8 hex digits of the subject key identifier>.pem}, e.g. {@code R11-c5b1ab4e.pem}. */
    static String fileName(X509Certificate issuer) {
        String cn = "issuer";
        try {
            // RFC 2253 text parsed as such: a common name may hold an escaped comma or quotes.
            for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(
                    issuer.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(rdn.getValue());
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            // keep "issuer": the key identifier alone keeps the name unique
        }
        String slug = cn.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[.-]+|-+$", "");
        if (slug.isEmpty()) {
            slug = "issuer";
        }
        if (slug.length() > 64) {
            slug = slug.substring(0, 64);
        }
        String keyId = IssuerChains.issuerKeyId(issuer).orElseThrow();
        return slug + "-" + keyId.substring(0, Math.min(8, keyId.length())).toLowerCase(Locale.ROOT) + ".pem";
    }
}
