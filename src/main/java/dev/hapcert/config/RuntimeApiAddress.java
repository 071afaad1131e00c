package dev.hapcert.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Checks the shape of a Runtime API address written the way haproxy.cfg writes {@code stats socket} addresses.
 * The string itself is kept as written (the transport interprets it); this only rejects what can never be
 * reached from another process, so that the mistake surfaces when the configuration is loaded.
 */
final class RuntimeApiAddress {
    private RuntimeApiAddress() {
    }

    /** The reason {@code address} cannot be used, or empty when it looks reachable. */
    static Optional<String> problem(String address) {
        if (address == null || address.isBlank()) {
            return Optional.of("is empty");
        }
        if (address.chars().anyMatch(Character::isWhitespace)) {
            return Optional.of("contains white space: '" + address + "'");
        }
        int at = address.indexOf('@');
        String family = at < 0 ? "" : address.substring(0, at).toLowerCase(Locale.ROOT);
        String rest = at < 0 ? address : address.substring(at + 1);
        switch (family) {
            case "":
                if (address.startsWith("/")) {
                    return Optional.empty();
                }
                return hostPort(address, "'" + address + "' is neither an absolute socket path nor host:port");
            case "unix":
                return rest.startsWith("/") ? Optional.empty()
                        : Optional.of("'" + address + "' is a relative socket path; HAProxy resolves it against"
                                + " its own working directory: write the absolute path");
            case "ipv4": case "ipv6": case "tcp": case "tcp4": case "tcp6":
                return hostPort(rest, "'" + address + "' needs host:port after '" + family + "@'");
            case "abns":
                return Optional.of("'" + address + "' is an abstract socket, which hapcert cannot connect to;"
                        + " give HAProxy a socket path too");
            default:
                return Optional.of("'" + address + "' uses '" + family + "@', which cannot be reached from outside"
                        + " HAProxy (use a socket path, unix@/path or ipv4@host:port)");
        }
    }

    private static Optional<String> hostPort(String s, String problem) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return Optional.of(problem);
        }
        String port = s.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return Optional.of("has port '" + port + "', which is not a TCP port (1-65535)");
        }
        return Optional.empty();
    }
}
