package dev.hapcert.deploy;

import dev.hapcert.cert.Bundle;
import dev.hapcert.cert.IssuerChains;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.haproxy.RuntimeApiClient;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * How one target's bundle files and payloads are rendered: key, leaf and chain, or key and leaf alone when the
 * target's HAProxy completes the chain from its {@code issuers-chain-path} with exactly the bundle's chain
 * ({@link IssuerChains#completes}). Every place that writes, compares or sends a bundle asks here, so the file on
 * disk, the payload and the comparison with the file agree.
 */
final class BundleForm {
    static final BundleForm WITH_CHAINS = new BundleForm(IssuerChains.NONE);

    private final IssuerChains issuers;

    private BundleForm(IssuerChains issuers) {
        this.issuers = issuers;
    }

    /**
     * The form for {@code target} as its running HAProxy ({@code client}) sees it: with chains unless the target
     * names an {@code issuers-chain-path}, and then only the files that were there when HAProxy started count (it
     * reads them only then: its uptime from {@code show info} tells). A directory that cannot be read, or an HAProxy
     * that does not say its uptime, is reported and bundles keep their chains.
     */
    static BundleForm of(TargetConfig target, RuntimeApiClient client, Consumer<String> notices) {
        if (target.issuersChainPath().isEmpty()) {
            return WITH_CHAINS;
        }
        Instant started;
        try {
            started = client.startedBy();
        } catch (HapcertException e) {
            notices.accept(target.name() + ": cannot tell when HAProxy started (" + e.getMessage()
                    + "), so its issuers-chain-path is not relied on; bundles are written with their chains");
            return WITH_CHAINS;
        }
        return load(target, started, notices);
    }

    /** The form for an HAProxy that is about to start (or reload): every file of its issuers-chain-path counts. */
    static BundleForm forStartingHaproxy(TargetConfig target, Consumer<String> notices) {
        return target.issuersChainPath().isEmpty() ? WITH_CHAINS : load(target, Instant.MAX, notices);
    }

    private static BundleForm load(TargetConfig target, Instant started, Consumer<String> notices) {
        try {
            return new BundleForm(IssuerChains.load(target.paths().toHost(target.issuersChainPath().get()), started));
        } catch (ConfigException e) {
            notices.accept(target.name() + ": " + e.getMessage() + "; bundles are written with their chains");
            return WITH_CHAINS;
        }
    }

    /** Whether the bundle keeps its chain for this target. */
    boolean withChain(Bundle bundle) {
        return !issuers.completes(bundle);
    }

    /** The file HAProxy loads and the whole payload ({@link Bundle#haproxyPem(boolean)}). */
    byte[] pem(Bundle bundle) {
        return bundle.haproxyPem(withChain(bundle));
    }

    /** The certificates alone, for a payload that sends the key apart. */
    String certificatesPem(Bundle bundle) {
        return bundle.certificatesPem(withChain(bundle));
    }
}
