package dev.hapcert.haproxy;

import dev.hapcert.error.HaproxyUnreachableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * Turns the ways a connection to a Runtime API fails into messages that name the socket and the likely fix. The JDK
 * reports unix socket failures as bare errno texts ("No such file or directory", "Connection refused", "Permission
 * denied"), and a regular file at the socket path shows up as "Connection refused", so the path is examined first.
 */
final class ConnectFailures {
    private ConnectFailures() {
    }

    /** Fails early, with a precise message, when nothing socket-like is at the path. */
    static void checkSocketFile(RuntimeApiAddress address) throws HaproxyUnreachableException {
        Path path = address.path();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            Path parent = path.getParent();
            String where = parent != null && !Files.isDirectory(parent)
                    ? " (its directory " + parent + " does not exist either)" : "";
            throw new HaproxyUnreachableException("no such socket: " + path + where + "; check that HAProxy is running"
                    + " and that a 'stats socket " + path + " level admin' line (or -S for a master CLI) names this path",
                    e);
        } catch (AccessDeniedException e) {
            throw permissionDenied(address, e);
        } catch (IOException e) {
            throw new HaproxyUnreachableException("cannot examine the Runtime API socket " + path + ": " + e, e);
        }
        if (attrs.isRegularFile()) {
            throw new HaproxyUnreachableException(path + " is a regular file, not a socket; point hapcert at the path"
                    + " of HAProxy's 'stats socket' line (a stale copy or a pid file may be in the way)");
        }
        if (attrs.isDirectory()) {
            throw new HaproxyUnreachableException(path + " is a directory, not a socket; name the socket file itself,"
                    + " as written on HAProxy's 'stats socket' line");
        }
    }

    static HaproxyUnreachableException map(RuntimeApiAddress address, IOException e) {
        String msg = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        boolean unix = address.kind() == RuntimeApiAddress.Kind.UNIX;
        if (msg.contains("permission denied") || e instanceof AccessDeniedException) {
            return permissionDenied(address, e);
        }
        if (msg.contains("no such file")) {
            return new HaproxyUnreachableException("no such socket: " + address.path()
                    + "; check that HAProxy is running and that its 'stats socket' line names this path", e);
        }
        if (msg.contains("connection refused") || e instanceof ConnectException) {
            if (unix) {
                return new HaproxyUnreachableException("connection refused on " + address.path() + ": the socket file"
                        + " exists but no HAProxy listens on it (HAProxy stopped and left it behind, or it is not a"
                        + " socket); start HAProxy or point hapcert at the live socket", e);
            }
            return new HaproxyUnreachableException("connection refused at " + address + ": nothing listens there;"
                    + " check the 'stats socket " + address + " level admin' line and that HAProxy runs", e);
        }
        if (e instanceof NoRouteToHostException) {
            return new HaproxyUnreachableException("no route to the Runtime API at " + address, e);
        }
        return new HaproxyUnreachableException("cannot connect to the Runtime API at " + address + ": " + e, e);
    }

    private static HaproxyUnreachableException permissionDenied(RuntimeApiAddress address, IOException e) {
        return new HaproxyUnreachableException("permission denied on the Runtime API socket " + address.displayName()
                + "; run hapcert as the socket's owner or group (root, or the user in the 'stats socket ... user/group"
                + " /mode' options), or widen those options", e);
    }
}
