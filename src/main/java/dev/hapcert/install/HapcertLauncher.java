package dev.hapcert.install;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * Finds the {@code bin/hapcert} launcher of the running installation, for hooks that must call hapcert by absolute
 * path. The launcher looks for the jar in {@code <home>/lib} and {@code <home>/target}, so from the jar (or the
 * classes directory of a development build) the launcher is {@code <home>/bin/hapcert}.
 */
public final class HapcertLauncher {
    private HapcertLauncher() {
    }

    public static Optional<Path> locate() {
        CodeSource source = HapcertLauncher.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return Optional.empty();
        }
        Path location;
        try {
            location = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return Optional.empty();
        }
        // <home>/lib/hapcert.jar or <home>/target/hapcert.jar; <home>/target/classes for a development build.
        Path dir = location.getParent();
        Path home = dir == null ? null : dir.getParent();
        if (home == null) {
            return Optional.empty();
        }
        Path launcher = home.resolve("bin").resolve("hapcert");
        return Files.isRegularFile(launcher) && Files.isExecutable(launcher) ? Optional.of(launcher) : Optional.empty();
    }
}
