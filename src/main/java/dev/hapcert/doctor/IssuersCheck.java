package dev.hapcert.doctor;

import dev.hapcert.cert.BundleReader;
import dev.hapcert.cert.IssuerChains;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.deploy.IssuerFiles;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * For a target with {@code issuers-chain-path}: the directory is there, and how many of its issuer files hapcert can
 * rely on to write bundles without their chain, which are those HAProxy read when it started. Files changed since
 * are reported: bundles of those CAs keep their chains until HAProxy reloads. And what a restart would find: a bundle
 * of the crt-list written without its chain whose issuer file has since gone would be served without intermediates.
 * The bundles whose chain has no file there are mentioned too: {@code hapcert issuers --write} adds one.
 */
final class IssuersCheck implements TargetCheck {
    /**
     * From how many bundles of one chain doctor mentions {@code issuers-chain-path} to a target without it: below
     * that, the time and memory it saves are not worth a directory to keep.
     */
    static final int SUGGEST_FROM = 100;

    @Override
    public String id() {
        return "issuers";
    }

    @Override
    public List<Finding> run(TargetProbe probe) throws HapcertException {
        TargetConfig target = probe.target();
        if (target.issuersChainPath().isEmpty()) {
            return suggestion(target).map(List::of).orElse(List.of());
        }
        String dir = target.issuersChainPath().get();
        Path host = target.paths().toHost(dir);
        if (!Files.isDirectory(host)) {
            return List.of(Finding.fail(id(), target.name(), "issuers-chain-path " + dir + " is no directory on this host",
                    "put the issuers' certificates there, one CA and the rest of its chain per file, or remove"
                            + " issuers-chain-path from haproxy.cfg: HAProxy does not start without it"));
        }
        IssuerChains afterRestart = IssuerChains.load(host, Instant.MAX);
        // Each bundle read once, for both findings below.
        List<String> orphans = new ArrayList<>();
        IssuerChains.ChainCount chains = new IssuerChains.ChainCount();
        for (IssuerFiles.ListedBundle bundle : IssuerFiles.listedBundles(target)) {
            List<X509Certificate> certificates;
            try {
                certificates = BundleReader.certificates(bundle.onHost());
            } catch (InvalidInputException | RuntimeException e) {
                continue;  // the paths and crt-list checks report unreadable bundles
            }
            if (afterRestart.lacksIssuerFor(certificates)) {
                orphans.add(bundle.asWritten());
            }
            chains.add(certificates);
        }
        if (!orphans.isEmpty()) {
            return List.of(withoutIssuer(target, dir, orphans));
        }
        String lacking = chainsWithoutFile(afterRestart, chains.carried(), dir);
        int all = afterRestart.size();
        if (probe.client().isEmpty()) {
            return List.of(Finding.ok(id(), target.name(),
                    all + " issuer file(s) in issuers-chain-path " + dir + lacking));
        }
        int loaded = afterRestart.readBefore(probe.client().get().startedBy()).size();
        if (loaded < all) {
            return List.of(Finding.warn(id(), target.name(), (all - loaded) + " of " + all + " issuer file(s) in "
                    + dir + " changed since HAProxy started, which it has not read: bundles of those CAs keep their"
                    + " chains" + lacking, "reload HAProxy to load them"));
        }
        return List.of(Finding.ok(id(), target.name(), loaded + " issuer file(s) in " + dir + " loaded by HAProxy:"
                + " bundles whose chain is one of them are written without it" + lacking));
    }

    /**
     * The bundles that still carry their chain although a file there holds it (a sync writes them without it), and
     * those whose chain's issuer has no file ({@code hapcert issuers --write} adds one), as the end of a finding's
     * message; empty when there are none.
     */
    private static String chainsWithoutFile(IssuerChains files, List<IssuerChains.CarriedChain> carried, String dir) {
        int count = 0;
        int completed = 0;
        List<String> issuers = new ArrayList<>();
        // As `hapcert issuers` sees the directory, without asking HAProxy which files it read.
        List<IssuerFiles.ChainEntry> chains = IssuerFiles.entries(carried, files, Optional.empty());
        for (IssuerFiles.ChainEntry chain : chains) {
            if (chain.state() == IssuerFiles.State.HELD) {
                completed += chain.bundles();
            } else if (chain.state() == IssuerFiles.State.MISSING) {
                count += chain.bundles();
                issuers.add(chain.issuer());
            }
        }
        StringBuilder b = new StringBuilder();
        if (completed > 0) {
            b.append("; ").append(completed).append(" bundle(s) still carry a chain that a file there holds:"
                    + " `hapcert sync` writes them without it once HAProxy has read that file");
        }
        if (count > 0) {
            b.append("; ").append(count).append(" bundle(s) carry a chain whose issuer has no file in ").append(dir)
                    .append(" (").append(String.join("; ", issuers.subList(0, Math.min(3, issuers.size()))))
                    .append(issuers.size() > 3 ? "; ..." : "").append("): `hapcert issuers --write` adds ")
                    .append(issuers.size() == 1 ? "it" : "them");
        }
        return b.toString();
    }

    /**
     * The crt-list's bundles that a restarted HAProxy would serve without their chain: written without it while an
     * issuer file held it, that file since removed or replaced by another CA's. A sync or deploy writes them with
     * their chain again (it renders each bundle for the issuer files there now), but only when it runs.
     */
    private Finding withoutIssuer(TargetConfig target, String dir, List<String> orphans) {
        return Finding.fail(id(), target.name(), orphans.size() + " bundle(s) of crt-list " + target.crtList()
                + " have no chain and issuers-chain-path " + dir + " has no issuer file for them (first: "
                + orphans.get(0) + "): HAProxy serves them with the chain it read at its start, but after a restart or"
                + " reload it would serve them without their intermediates",
                "put the issuer file of their CA back into " + dir + ", or run `hapcert sync` (or a deploy of each) to"
                        + " write them with their chain again");
    }

    /**
     * For a target without {@code issuers-chain-path} whose crt-list has many bundles with the same chain: what it
     * would save, as an OK finding (nothing is wrong).
     */
    private Optional<Finding> suggestion(TargetConfig target) {
        List<Path> bundles = IssuerFiles.listedBundles(target).stream().map(IssuerFiles.ListedBundle::onHost).toList();
        return IssuerChains.mostShared(bundles)
                .filter(shared -> shared.bundles() >= SUGGEST_FROM)
                .map(shared -> Finding.ok(id(), target.name(), shared.bundles() + " of the " + bundles.size()
                        + " bundles of crt-list " + target.crtList() + " carry the same chain (" + shared.issuer()
                        + "): with that chain in a file of an issuers-chain-path directory (haproxy.cfg, global section;"
                        + " read when HAProxy starts), HAProxy keeps one copy of it and loads the bundles faster"
                        + " (10,000 bundles: about 14% less time, 20% less memory), and hapcert writes those bundles"
                        + " without their chain; `hapcert issuers --write --dir DIR` writes the file"));
    }
}
