package dev.hapcert.haproxy;

import dev.hapcert.error.HaproxyUnreachableException;
import java.nio.file.Path;

/** Run in a child JVM as another user by {@link SocketFailuresTest}: connects and prints the outcome. */
public final class ConnectProbe {
    private ConnectProbe() {
    }

    public static void main(String[] args) {
        try (RuntimeApiConnection c = RuntimeApiConnection.open(RuntimeApiAddress.unix(Path.of(args[0])),
                RuntimeApiTimeouts.DEFAULT)) {
            System.out.println("connected");
        } catch (HaproxyUnreachableException e) {
            System.out.println(e.getMessage());
        }
    }
}
