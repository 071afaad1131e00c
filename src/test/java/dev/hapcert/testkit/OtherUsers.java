package dev.hapcert.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Whether a process of another user (tests run probes as {@code nobody}) can read what lies at a path: every
 * directory above it searchable by others, and the path itself readable (and, for a directory, searchable). A checkout
 * in a private directory (mode 0700, as {@code mktemp -d} makes) is not, and the tests that need it say so and skip.
 */
public final class OtherUsers {
    private OtherUsers() {
    }

    public static boolean canRead(Path path) {
        try {
            Path p = path.toAbsolutePath().normalize();
            if (!has(p, PosixFilePermission.OTHERS_READ)
                    || Files.isDirectory(p) && !has(p, PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
            for (Path dir = p.getParent(); dir != null; dir = dir.getParent()) {
                if (!has(dir, PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean has(Path p, PosixFilePermission permission) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(p);
        return permissions.contains(permission);
    }
}
