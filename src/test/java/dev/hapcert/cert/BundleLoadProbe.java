package dev.hapcert.cert;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Run in a fresh JVM by {@link HookPathClassesTest}: reads and validates one combined PEM, as the deploy hook
 * does. Must reference nothing but the production classes, so the classes it loads are the hook's.
 */
public final class BundleLoadProbe {
    private BundleLoadProbe() {
    }

    public static void main(String[] args) throws Exception {
        Bundle bundle = BundleReader.fromFiles(Path.of(args[0]), null, null);
        BundleValidator.validate(bundle, List.of(), Instant.now());
        bundle.haproxyPem();
        System.out.println("probe: bundle read");
    }
}
