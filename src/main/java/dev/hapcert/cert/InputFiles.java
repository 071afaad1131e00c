package dev.hapcert.cert;

import dev.hapcert.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads the files and directories hapcert is pointed at, turning every way they can be unusable into its own
 * message. Certbot's live files are relative symlinks into {@code ../../archive}, so a dangling link is a real
 * and distinct failure (archive moved or pruned), not just "file not found". Messages carry paths, never contents.
 */
final class InputFiles {
    /** Far above any real bundle (a 4096-bit key and a long chain are under 10 KiB); guards against reading junk. */
    static final long MAX_BYTES = 1 << 20;

    private InputFiles() {
    }

    /** True if something, possibly a dangling symlink, sits at {@code path}. */
    static boolean present(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    static byte[] readFile(Path path, String role) throws InvalidInputException {
        // One stat answers every question below (a sync reads 10,000 files with this); the ways it can fail are told
        // apart only when it does.
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            requireExists(path, role);  // a dangling symbolic link has its own message
            throw new InvalidInputException(role + " " + path + " does not exist");
        } catch (AccessDeniedException e) {
            throw permissionDenied(path, role);
        } catch (IOException e) {
            throw new InvalidInputException(role + " " + path + " cannot be read: " + reason(e));
        }
        if (attributes.isDirectory()) {
            throw new InvalidInputException(role + " " + path + " is a directory, not a file");
        }
        if (!attributes.isRegularFile()) {
            throw new InvalidInputException(role + " " + path + " is not a regular file (a device, pipe or socket?)");
        }
        if (attributes.size() > MAX_BYTES) {
            throw new InvalidInputException(role + " " + path + " is " + attributes.size() + " bytes, too large for a"
                    + " certificate or key file (limit " + MAX_BYTES + "): is it the right file?");
        }
        try {
            return Files.readAllBytes(path);
        } catch (AccessDeniedException e) {
            throw permissionDenied(path, role);
        } catch (IOException e) {
            throw new InvalidInputException(role + " " + path + " cannot be read: " + reason(e));
        }
    }

    private static InvalidInputException permissionDenied(Path path, String role) {
        return new InvalidInputException(role + " " + path + " cannot be read: permission denied"
                + " (run hapcert as the user owning the certificates, usually root)");
    }

    static void requireDirectory(Path path, String role) throws InvalidInputException {
        requireExists(path, role);
        if (!Files.isDirectory(path)) {
            throw new InvalidInputException(role + " " + path + " is not a directory");
        }
        if (!Files.isReadable(path) || !Files.isExecutable(path)) {
            throw new InvalidInputException(role + " " + path + " cannot be read: permission denied"
                    + " (run hapcert as the user owning the certificates, usually root)");
        }
    }

    private static void requireExists(Path path, String role) throws InvalidInputException {
        if (Files.isSymbolicLink(path) && !Files.exists(path)) {
            throw new InvalidInputException(role + " " + path + " is a symbolic link to " + linkTarget(path)
                    + ", which does not exist (for certbot: was the archive directory moved or deleted?"
                    + " `certbot certificates` shows broken lineages)");
        }
        if (!Files.exists(path)) {
            throw new InvalidInputException(role + " " + path + " does not exist");
        }
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "a missing target";
        }
    }

    /** The OS reason only: NIO messages repeat the path, which the caller already names. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "it disappeared while being read";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getClass().getSimpleName();
    }
}
