package dev.hapcert.deploy;

import dev.hapcert.cert.Bundle;
import dev.hapcert.cert.IssuerChains;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
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
     * The form for {@code target}: with chains unless it names an {@code issuers-chain-path}; a directory that cannot
     * be read is reported and bundles keep their chains.
     */
    static BundleForm of(TargetConfig target, Consumer<String> notices) {
        if (target.issuersChainPath().isEmpty()) {
            return WITH_CHAINS;
        }
        try {
            return new BundleForm(IssuerChains.load(target.paths().toHost(target.issuersChainPath().get())));
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
