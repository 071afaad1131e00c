package dev.hapcert.source;

import dev.hapcert.cert.Bundle;
import dev.hapcert.error.InvalidInputException;
import java.util.List;
import java.util.Objects;

/**
 * A certificate that should be served: the parsed bundle, the file-safe name it is stored under
 * ({@code <cert dir>/<name>.pem}), the names the ACME client says it covers, and where it came from.
 *
 * <p>The name becomes part of a path and of Runtime API commands, so it is restricted to characters that can
 * neither escape the certificate directory nor split a command: letters, digits, dot, dash and underscore,
 * starting with a letter, digit or underscore (never '.' or '-': no hidden files, nothing that reads as an option),
 * without "..". A wildcard's name is spelled {@code wildcard_.example.com} (see {@link #nameFromDomain}).
 */
public record DesiredCertificate(String name, Bundle bundle, List<String> requiredNames, String origin) {
    private static final int MAX_NAME = 200;

    public DesiredCertificate {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(origin, "origin");
        requiredNames = List.copyOf(requiredNames);
        if (name == null || !isSafeName(name)) {
            throw new IllegalArgumentException("unsafe certificate name; use DesiredCertificate.checkName first");
        }
    }

    public static boolean isSafeName(String name) {
        // [A-Za-z0-9_][A-Za-z0-9._-]{0,199}, checked by hand: the hook checks this name first thing, before the
        // JVM has any use for its regex engine.
        if (name.isEmpty() || name.length() > MAX_NAME || name.charAt(0) == '.' || name.charAt(0) == '-'
                || name.contains("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Checks a name taken from outside (a lineage directory, a domain, a command-line option). */
    public static String checkName(String name, String whereFrom) throws InvalidInputException {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("empty certificate name (" + whereFrom + ")");
        }
        if (!isSafeName(name)) {
            throw new InvalidInputException("certificate name '" + printable(name) + "' from " + whereFrom
                    + " is not safe as a file and Runtime API name: use letters, digits, '.', '-' and '_' only"
                    + " (at most 200 characters, starting with a letter, digit or '_', no '..')");
        }
        return name;
    }

    /**
     * The certificate name for a domain or a client's directory/file name that is one: a leading {@code "*."}
     * becomes {@code "wildcard_."}, so {@code *.example.com} is stored as {@code wildcard_.example.com}. The
     * underscore cannot occur in a host name, so this never collides with a real domain's certificate. Every
     * source names wildcard certificates this way, so the same certificate keeps its name whichever client or
     * command delivers it.
     */
    public static String nameFromDomain(String domain, String whereFrom) throws InvalidInputException {
        if (domain != null && domain.startsWith("*.")) {
            return checkName(WILDCARD_PREFIX + domain.substring(2), whereFrom);
        }
        return checkName(domain, whereFrom);
    }

    /** What a leading "*." turns into in a certificate name; see {@link #nameFromDomain}. */
    public static final String WILDCARD_PREFIX = "wildcard_.";

    /** Shows a hostile name without letting it break the line it is printed on. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (b.length() > 80) {
                b.append("...");
                break;
            }
            b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
