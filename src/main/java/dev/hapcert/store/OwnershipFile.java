package dev.hapcert.store;

import dev.hapcert.config.FileOwnership;
import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which certificates of a certificate directory hapcert deployed, so that {@code sync --prune} removes only those
 * and never a certificate an operator put there by hand.
 *
 * <p>Kept as {@code .hapcert-owned} in the certificate directory itself: it travels with the certificates (backups,
 * bind mounts, containers), and HAProxy ignores dot files when it loads a {@code crt <dir>}. One certificate name
 * (the HAProxy path) a line, sorted; written atomically under the target's lock.
 */
public final class OwnershipFile {
    public static final String FILE_NAME = ".hapcert-owned";

    private final Path path;
    private final Set<String> names;

    private OwnershipFile(Path path, Set<String> names) {
        this.path = path;
        this.names = names;
    }

    public static OwnershipFile read(Path certDirOnHost) throws ConfigException {
        Path path = certDirOnHost.resolve(FILE_NAME);
        Set<String> names = new TreeSet<>();
        if (Files.isSymbolicLink(path)) {
            throw new ConfigException(path + " is a symbolic link; hapcert never reads or writes through one");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            try {
                for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                    String name = line.strip();
                    if (!name.isEmpty() && !name.startsWith("#")) {
                        names.add(name);
                    }
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read " + path + ": " + e.getMessage(), e);
            }
        }
        return new OwnershipFile(path, names);
    }

    /** Up to this many names are searched for in the file's text; more are looked up in its lines, read once. */
    private static final int SEARCHED_NAMES = 8;

    /**
     * Whether the registry in {@code certDirOnHost} already lists every one of {@code certificateNames}. For the deploy
     * hook's one name (a renewal finds it there) the file's text is searched for the name as a whole line rather than
     * read into a sorted set, which with 10,000 names would cost the hook milliseconds; many names are looked up in a
     * set of the file's lines. False when in doubt (no file, a symbolic link, unreadable): the caller then reads and
     * updates as usual.
     */
    public static boolean listsAll(Path certDirOnHost, Collection<String> certificateNames) {
        Path path = certDirOnHost.resolve(FILE_NAME);
        if (certificateNames.isEmpty()) {
            return true;
        }
        if (Files.isSymbolicLink(path) || !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        String text;
        try {
            text = "\n" + new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return false;
        }
        if (certificateNames.size() > SEARCHED_NAMES) {
            return new HashSet<>(Arrays.asList(text.split("\n"))).containsAll(certificateNames);
        }
        for (String name : certificateNames) {
            if (!text.contains("\n" + name + "\n")) {
                return false;
            }
        }
        return true;
    }

    public Set<String> names() {
        return Set.copyOf(names);
    }

    public boolean owns(String certName) {
        return names.contains(certName);
    }

    /** Writes the registry with {@code added} and without {@code removed}, unless that changes nothing. */
    public void update(Collection<String> added, Collection<String> removed, FileOwnership ownership) throws ConfigException {
        Set<String> next = new TreeSet<>(names);
        next.addAll(added);
        next.removeAll(removed);
        if (next.equals(names)) {
            return;
        }
        StringBuilder text = new StringBuilder("# Certificates deployed by hapcert; sync --prune removes only these.\n");
        next.forEach(n -> text.append(n).append('\n'));
        AtomicFileWriter.write(path, text.toString().getBytes(StandardCharsets.UTF_8), ownership);
        names.clear();
        names.addAll(next);
    }
}
