package dev.hapcert.doctor;

import dev.hapcert.cert.IssuerChains;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.HapcertException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * For a target with {@code issuers-chain-path}: the directory is there, and how many of its issuer files hapcert can
 * rely on to write bundles without their chain, which are those HAProxy read when it started. Files changed since
 * are reported: bundles of those CAs keep their chains until HAProxy reloads.
 */
final class IssuersCheck implements TargetCheck {
    @Override
    public String id() {
        return "issuers";
    }

    @Override
    public List<Finding> run(TargetProbe probe) throws HapcertException {
        TargetConfig target = probe.target();
        if (target.issuersChainPath().isEmpty()) {
            return List.of();
        }
        String dir = target.issuersChainPath().get();
        Path host = target.paths().toHost(dir);
        if (!Files.isDirectory(host)) {
            return List.of(Finding.fail(id(), target.name(), "issuers-chain-path " + dir + " is no directory on this host",
                    "put the issuers' certificates there, one CA per .pem file, or remove issuers-chain-path from"
                            + " haproxy.cfg: HAProxy does not start without it"));
        }
        int all = IssuerChains.load(host, Instant.MAX).size();
        if (probe.client().isEmpty()) {
            return List.of(Finding.ok(id(), target.name(), all + " issuer file(s) in issuers-chain-path " + dir));
        }
        int loaded = IssuerChains.load(host, probe.client().get().startedBy()).size();
        if (loaded < all) {
            return List.of(Finding.warn(id(), target.name(), (all - loaded) + " of " + all + " issuer file(s) in "
                    + dir + " changed since HAProxy started, which it has not read: bundles of those CAs keep their"
                    + " chains", "reload HAProxy to load them"));
        }
        return List.of(Finding.ok(id(), target.name(), loaded + " issuer file(s) in " + dir + " loaded by HAProxy:"
                + " bundles whose chain is one of them are written without it"));
    }
}
