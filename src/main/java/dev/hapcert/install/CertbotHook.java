package dev.hapcert.install;

import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * hapcert's deploy hook in a certbot config directory: {@code <config-dir>/renewal-hooks/deploy/hapcert}, a short
 * {@code sh} script that execs the hapcert launcher by absolute path with the target options given at install time.
 * certbot runs every executable there after each renewal with {@code RENEWED_LINEAGE} set, which is all
 * {@code hapcert deploy} needs. A marker line tells hapcert's own file from anyone else's: only that file is ever
 * replaced or removed.
 *
 * @param configDir certbot's {@code --config-dir}, {@code /etc/letsencrypt} by default
 */
public record CertbotHook(Path configDir) {
    public static final String FILE_NAME = "hapcert";
    public static final String MARKER = "# hapcert-managed-hook: written by 'hapcert install certbot',"
            + " removed by 'hapcert uninstall certbot'";
    private static final String EXEC = "exec ";
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What {@link #install} did. */
    public enum Installed { INSTALLED, UPDATED, UNCHANGED }

    /** What {@link #uninstall} did. */
    public enum Uninstalled { REMOVED, NOT_INSTALLED }

    /** What is at {@link #file()}, for {@code doctor}. */
    public enum State {
        ABSENT,
        /** hapcert's file, executable. */
        INSTALLED,
        /** hapcert's file, but certbot skips it: not executable. */
        NOT_EXECUTABLE,
        /** Someone else's file (no marker). */
        FOREIGN
    }

    public CertbotHook {
        Objects.requireNonNull(configDir, "configDir");
        configDir = configDir.toAbsolutePath().normalize();
    }

    public Path deployDir() {
        return configDir.resolve("renewal-hooks").resolve("deploy");
    }

    public Path file() {
        return deployDir().resolve(FILE_NAME);
    }

    /**
     * The script for a launcher, the arguments given to {@code hapcert deploy} and the Java to run it with unless
     * certbot's environment names one: certbot often runs from a service manager whose PATH lacks a Java that only a
     * login shell knows, and the launcher starts a little sooner with a {@code JAVA_HOME} than with a {@code java}
     * found on PATH (which it resolves through its alternatives links). A {@code JAVA_HOME} that later disappears
     * (the JDK upgraded to another directory) is harmless: the launcher then looks on PATH.
     */
    public static String script(Path launcher, List<String> deployArgs, Optional<Path> javaHome) {
        return "#!/bin/sh\n"
                + MARKER + "\n"
                + "# certbot runs this after every renewal with RENEWED_LINEAGE set; hapcert deploys that certificate into\n"
                + "# HAProxy through the Runtime API. Run 'hapcert install certbot' again to change it.\n"
                + javaHome.map(home -> "# The Java that ran 'hapcert install certbot',"
                        + " unless the environment names one.\n"
                        + "[ -n \"${JAVA_HOME:-}\" ] || JAVA_HOME=" + ShellWords.quote(home.toString()) + "\n"
                        + "export JAVA_HOME\n").orElse("")
                + EXEC + ShellWords.quote(launcher.toString()) + " deploy"
                + (deployArgs.isEmpty() ? "" : " " + ShellWords.join(deployArgs)) + "\n";
    }

    /**
     * Writes the hook (atomically, mode 0755), creating {@code renewal-hooks/deploy/} if certbot has not yet.
     *
     * @param javaHome the Java the hook runs the launcher with unless certbot's environment names one
     *     ({@link #script}); empty to leave it to the launcher
     * @throws ConfigException when the config directory is missing, a file not written by hapcert is in the way, or
     *     the directory is not writable
     */
    public Installed install(Path launcher, List<String> deployArgs, Optional<Path> javaHome) throws ConfigException {
        if (!launcher.isAbsolute() || !Files.isExecutable(launcher)) {
            throw new ConfigException("the hapcert launcher " + launcher + " is not an absolute path to an executable;"
                    + " certbot runs the hook from its own working directory with its own PATH");
        }
        if (!Files.isDirectory(configDir)) {
            throw new ConfigException("no certbot config directory at " + configDir + "; give --config-dir the"
                    + " directory certbot's --config-dir points to (/etc/letsencrypt by default)");
        }
        String content = script(launcher, deployArgs, javaHome);
        Optional<String> existing = read(file());
        if (existing.isPresent() && !existing.get().contains(MARKER)) {
            throw foreign("install");
        }
        boolean executable = Files.isExecutable(file());
        if (existing.isPresent() && existing.get().equals(content) && executable) {
            return Installed.UNCHANGED;
        }
        try {
            Files.createDirectories(deployDir());
        } catch (IOException e) {
            throw new ConfigException("cannot create " + deployDir() + ": " + e.getMessage(), e);
        }
        write(content);
        return existing.isPresent() ? Installed.UPDATED : Installed.INSTALLED;
    }

    /** Removes the hook if hapcert wrote it; anything else is left alone. */
    public Uninstalled uninstall() throws ConfigException {
        Optional<String> existing = read(file());
        if (existing.isEmpty()) {
            return Uninstalled.NOT_INSTALLED;
        }
        if (!existing.get().contains(MARKER)) {
            throw foreign("uninstall");
        }
        try {
            Files.delete(file());
        } catch (IOException e) {
            throw new ConfigException("cannot remove " + file() + ": " + e.getMessage(), e);
        }
        return Uninstalled.REMOVED;
    }

    public State state() throws ConfigException {
        Optional<String> existing = read(file());
        if (existing.isEmpty()) {
            return State.ABSENT;
        }
        if (!existing.get().contains(MARKER)) {
            return State.FOREIGN;
        }
        return Files.isExecutable(file()) ? State.INSTALLED : State.NOT_EXECUTABLE;
    }

    /** The launcher hapcert's hook runs; empty when there is no such hook or it was edited beyond recognition. */
    public Optional<Path> launcher() throws ConfigException {
        Optional<String> existing = read(file()).filter(s -> s.contains(MARKER));
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        for (String line : existing.get().split("\n")) {
            if (line.startsWith(EXEC)) {
                return ShellWords.firstQuoted(line.substring(EXEC.length())).map(Path::of);
            }
        }
        return Optional.empty();
    }

    /** The file's text; empty when there is none. A link or a directory in its place counts as someone else's. */
    private Optional<String> read(Path file) throws ConfigException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("");
        }
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Binary content (malformed UTF-8) is certainly not hapcert's script.
            if (e instanceof java.nio.charset.CharacterCodingException) {
                return Optional.of("");
            }
            throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private ConfigException foreign(String verb) {
        return new ConfigException(file() + " exists but was not written by hapcert (no '" + MARKER.substring(2, 21)
                + "' line); hapcert will not " + verb + " over it: remove or rename it yourself if it is not needed");
    }

    /**
     * Same-directory temporary file, then rename. The temporary name ends in {@code ~}, which certbot skips when it
     * lists hooks, and the file becomes executable only once complete.
     */
    private void write(String content) throws ConfigException {
        Path temp = deployDir().resolve(".hapcert-hook-" + HexFormat.of().formatHex(randomBytes()) + "~");
        boolean renamed = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(temp, EXECUTABLE);
            Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            try (FileChannel dir = FileChannel.open(deployDir(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // Some file systems cannot sync a directory; the rename itself is atomic either way.
            }
        } catch (IOException e) {
            throw new ConfigException("cannot write " + file() + ": " + e.getMessage(), e);
        } finally {
            if (!renamed) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write failure is what matters
                }
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }
}
