package dev.hapcert.source;

import java.util.Objects;

/**
 * What an ACME client asks for when it runs {@code hapcert deploy} as its hook with arguments (dehydrated calls its
 * hook once per event: {@code deploy_cert}, {@code deploy_challenge}, {@code exit_hook}, ...).
 */
public sealed interface HookRequest permits HookRequest.Deploy, HookRequest.Ignore {

    /** Deploy the certificate this source describes. */
    record Deploy(CertificateSource source) implements HookRequest {
        public Deploy {
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * An event hapcert has nothing to do for. The hook must exit 0 and print nothing on stdout (dehydrated reads
     * the {@code generate_csr} hook's stdout as a CSR, and aborts on a non-zero exit of any hook).
     *
     * @param reason a short explanation for diagnostics on stderr with {@code --verbose}
     */
    record Ignore(String reason) implements HookRequest {
        public Ignore {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
