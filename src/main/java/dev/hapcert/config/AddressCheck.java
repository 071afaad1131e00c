package dev.hapcert.config;

import dev.hapcert.error.ConfigException;
import dev.hapcert.haproxy.RuntimeApiAddress;
import java.util.Optional;

/**
 * Checks a Runtime API address when the configuration is loaded, with the same parser the connection uses later,
 * so that a typo surfaces with the file and key that hold it rather than at the first deploy.
 */
final class AddressCheck {
    private AddressCheck() {
    }

    /** Why {@code address} cannot be used, or empty when it parses. */
    static Optional<String> problem(String address) {
        try {
            RuntimeApiAddress.parse(address);
            return Optional.empty();
        } catch (ConfigException e) {
            return Optional.of(e.getMessage());
        }
    }
}
