package dev.hapcert.deploy;

import java.time.Duration;
import java.util.Optional;

/**
 * How a deploy runs.
 *
 * @param dryRun plan only, touch nothing
 * @param force replace a loaded certificate even when the new one is older
 * @param verifyTls after applying, handshake with this address for every name and compare the served certificate
 * @param lockTimeout how long to wait for another deployer working on the same HAProxy
 */
public record DeployOptions(boolean dryRun, boolean force, Optional<TlsEndpoint> verifyTls, Duration lockTimeout) {
    public static DeployOptions defaults() {
        return new DeployOptions(false, false, Optional.empty(), Duration.ofSeconds(60));
    }

    /** A host and port to probe with TLS. */
    public record TlsEndpoint(String host, int port) {
        public static TlsEndpoint parse(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + value + "'");
            }
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + value + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range in '" + value + "'");
            }
            return new TlsEndpoint(host, port);
        }
    }
}
