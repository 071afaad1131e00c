package dev.hapcert.haproxy;

import dev.hapcert.error.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an HAProxy Runtime API listens: a unix socket or a TCP address, and whether it is a worker's
 * {@code stats socket} or the master CLI of a master-worker HAProxy ({@code haproxy -W -S <socket>}).
 *
 * <p>Accepted spellings ({@link #parse(String)}), the first ones as in haproxy.cfg's {@code stats socket} lines:
 * {@code /abs/path}, {@code unix@/path}, {@code unix:/path}; {@code ipv4@host:port}, {@code ipv6@[addr]:port},
 * {@code tcp:host:port}, {@code host:port}, {@code [addr]:port}. A leading {@code master:} marks a master CLI.
 * {@link #toString()} gives the canonical form, which {@code parse} reads back to an equal value.
 *
 * @param kind      unix socket or TCP
 * @param path      the socket path (unix only, else null)
 * @param host      the host or IP literal without brackets (TCP only, else null)
 * @param port      the TCP port (TCP only, else 0)
 * @param masterCli true when this is the master CLI: commands are then routed to a worker with {@code @1 } or
 *                  {@code @!<pid> }
 */
public record RuntimeApiAddress(Kind kind, Path path, String host, int port, boolean masterCli) {
    /** Linux {@code sun_path} holds 108 bytes including the terminating NUL. */
    private static final int MAX_UNIX_PATH_BYTES = 107;
    private static final String MASTER_PREFIX = "master:";
    /**
     * The TCP address forms, compiled only when a TCP address is parsed: a unix socket, the usual case, is told apart
     * by its first characters, and the deploy hook has no time for the regex engine's start-up.
     */
    private static final class Tcp {
        static final Pattern IPV6_BRACKETED = Pattern.compile("\\[([0-9A-Fa-f:.%a-zA-Z]+)]:([0-9]{1,5})");
        static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9.-]+):([0-9]{1,5})");
        static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    public enum Kind { UNIX, TCP }

    public RuntimeApiAddress {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.UNIX) {
            Objects.requireNonNull(path, "path");
            if (!path.isAbsolute() || host != null || port != 0) {
                throw new IllegalArgumentException("a unix Runtime API address needs an absolute path only: " + path);
            }
        } else {
            Objects.requireNonNull(host, "host");
            if (path != null || port < 1 || port > 65535 || host.isEmpty()) {
                throw new IllegalArgumentException("a TCP Runtime API address needs a host and a port 1-65535");
            }
        }
    }

    public static RuntimeApiAddress unix(Path path) {
        return new RuntimeApiAddress(Kind.UNIX, path, null, 0, false);
    }

    public static RuntimeApiAddress tcp(String host, int port) {
        return new RuntimeApiAddress(Kind.TCP, null, host, port, false);
    }

    /** The same address, marked as a master CLI socket. */
    public RuntimeApiAddress asMasterCli() {
        return new RuntimeApiAddress(kind, path, host, port, true);
    }

    /**
     * Reads an address as written in hapcert's configuration or a {@code stats socket} line.
     *
     * @throws ConfigException naming the text and the accepted forms when it is none of them
     */
    public static RuntimeApiAddress parse(String text) throws ConfigException {
        if (text == null || text.isBlank()) {
            throw new ConfigException("the Runtime API address is empty; " + forms());
        }
        String s = text.strip();
        boolean master = false;
        if (s.startsWith(MASTER_PREFIX)) {
            master = true;
            s = s.substring(MASTER_PREFIX.length());
        }
        RuntimeApiAddress a = parsePlain(s, text);
        return master ? a.asMasterCli() : a;
    }

    private static RuntimeApiAddress parsePlain(String s, String original) throws ConfigException {
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("unix@") || lower.startsWith("unix:")) {
            return unixAt(s.substring(5), original);
        }
        if (s.startsWith("/")) {
            return unixAt(s, original);
        }
        if (lower.startsWith("ipv4@")) {
            RuntimeApiAddress a = hostPort(s.substring(5), original);
            if (!Tcp.IPV4.matcher(a.host).matches()) {
                throw new ConfigException("'" + original + "': ipv4@ needs an IPv4 address such as ipv4@127.0.0.1:9999");
            }
            return a;
        }
        if (lower.startsWith("ipv6@")) {
            Matcher m = Tcp.IPV6_BRACKETED.matcher(s.substring(5));
            if (!m.matches()) {
                throw new ConfigException("'" + original + "': write IPv6 addresses in brackets, such as ipv6@[::1]:9999");
            }
            return tcpChecked(m.group(1), m.group(2), original);
        }
        if (lower.startsWith("tcp:")) {
            return hostPort(s.substring(4), original);
        }
        if (lower.startsWith("abns@")) {
            throw new ConfigException("'" + original + "' is an abstract socket, which hapcert cannot connect to;"
                    + " give HAProxy a socket path too (a second stats socket line)");
        }
        if (s.contains("@")) {
            throw new ConfigException("'" + original + "' uses an address family hapcert cannot reach; " + forms());
        }
        return hostPort(s, original);
    }

    private static RuntimeApiAddress unixAt(String p, String original) throws ConfigException {
        if (!p.startsWith("/")) {
            throw new ConfigException("'" + original + "': the unix socket path must be absolute (start with '/')");
        }
        if (p.getBytes(StandardCharsets.UTF_8).length > MAX_UNIX_PATH_BYTES) {
            throw new ConfigException("'" + original + "': a unix socket path is limited to " + MAX_UNIX_PATH_BYTES
                    + " bytes by the operating system; use a shorter path");
        }
        if (p.chars().anyMatch(c -> Character.isISOControl(c))) {
            throw new ConfigException("'" + original + "': the unix socket path contains control characters");
        }
        return unix(Path.of(p).normalize());
    }

    private static RuntimeApiAddress hostPort(String s, String original) throws ConfigException {
        Matcher v6 = Tcp.IPV6_BRACKETED.matcher(s);
        if (v6.matches()) {
            return tcpChecked(v6.group(1), v6.group(2), original);
        }
        Matcher m = Tcp.HOST_PORT.matcher(s);
        if (!m.matches()) {
            throw new ConfigException("'" + original + "' is not a Runtime API address; " + forms());
        }
        return tcpChecked(m.group(1), m.group(2), original);
    }

    private static RuntimeApiAddress tcpChecked(String host, String port, String original) throws ConfigException {
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65535) {
            throw new ConfigException("'" + original + "': port " + port + " is out of range 1-65535");
        }
        return tcp(host, p);
    }

    private static String forms() {
        return "use /path/to/socket, unix@/path, ipv4@127.0.0.1:9999, ipv6@[::1]:9999 or host:port"
                + " (prefix master: for a master CLI socket)";
    }

    /** The name to show an operator: the path for a unix socket, host:port for TCP. */
    public String displayName() {
        return kind == Kind.UNIX ? path.toString() : toString();
    }

    @Override
    public String toString() {
        String base;
        if (kind == Kind.UNIX) {
            base = "unix@" + path;
        } else if (host.contains(":")) {
            base = "ipv6@[" + host + "]:" + port;
        } else if (Tcp.IPV4.matcher(host).matches()) {
            base = "ipv4@" + host + ":" + port;
        } else {
            base = "tcp:" + host + ":" + port;
        }
        return masterCli ? MASTER_PREFIX + base : base;
    }
}
