package dev.hapcert.store;

import dev.hapcert.config.FileOwnership;
import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file so that a crash at any moment leaves either the complete old file or the complete new one,
 * and so that the new content, which may hold a private key, is never readable by anyone it should not be.
 *
 * <p>Steps: create {@code .hapcert-<name>.<random>.tmp} in the target's directory (same file system, so the
 * rename is atomic) with the owner-only part of the configured mode, set that mode again explicitly (the umask
 * can only have narrowed it), write, fsync, set the group, then the final mode if it has group bits (only once the
 * group is right), rename over the target, fsync the directory so the rename itself survives a power loss. The leading dot
 * also keeps HAProxy from loading the temp file when a bind line names the whole directory with {@code crt}.
 *
 * <p>Every failure is a {@link ConfigException} naming the path; the temp file is removed unless the process
 * died, in which case {@link #removeStaleTemps} cleans up on the next run.
 */
public final class AtomicFileWriter {
    static final String TEMP_PREFIX = ".hapcert-";
    static final String TEMP_SUFFIX = ".tmp";
    // Leaves room for prefix, random part and suffix within the usual 255-byte name limit.
    private static final int MAX_NAME_IN_TEMP = 200;

    private AtomicFileWriter() {
    }

    /** Atomically replaces (or creates) {@code target} with {@code content}, owned as {@code ownership} says. */
    public static void write(Path target, byte[] content, FileOwnership ownership) throws ConfigException {
        replace(target, content, ownership);
        syncDirectory(target.getParent());
    }

    /**
     * {@link #write} without the final directory fsync: the file itself is complete and fsynced before the rename,
     * but the rename survives a power loss only after {@link #syncDirectory} of its directory. For writing many
     * files of one directory (a bulk sync), then syncing the directory once; a process crash in between loses
     * nothing (the rename is visible at once), only a power loss could.
     */
    public static void replace(Path target, byte[] content, FileOwnership ownership) throws ConfigException {
        Path dir = checkTarget(target);
        Path temp = dir.resolve(tempName(target.getFileName().toString()));
        boolean renamed = false;
        try {
            Set<PosixFilePermission> createMode = ownership.ownerOnlyMode();
            // The channel is opened by the create itself, so it is writable even if the mode is read-only.
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(createMode))) {
                Files.setPosixFilePermissions(temp, createMode);
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            // Here the temp file is complete and still owner-only: crash tests check its mode at this point.
            CrashPoint.reached("after-temp-write");
            if (ownership.group().isPresent()) {
                setGroup(temp, ownership.group().get(), target);
            }
            // Group bits only now that the group is right; an owner-only mode (0600, the default) is already set.
            if (!createMode.equals(ownership.mode())) {
                Files.setPosixFilePermissions(temp, EnumSet.copyOf(ownership.mode()));
            }
            // rename(2): replaces the directory entry, so a symlink planted after our check is replaced, not followed.
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            CrashPoint.reached("after-rename");
        } catch (IOException e) {
            throw failure(target, e);
        } finally {
            if (!renamed) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original failure matters more; removeStaleTemps cleans up later
                }
            }
        }
    }

    /**
     * The bytes a write to {@code path} would replace, kept so a failed change can put them back; null when there is
     * no regular file there (a symlink is not followed: it is never written through either).
     */
    public static byte[] currentContent(Path path) throws ConfigException {
        return current(path).content();
    }

    /** What a write to a path would replace: whether anything is there, and a regular file's bytes. */
    public record Current(boolean exists, byte[] content) {
        private static final Current NOTHING = new Current(false, null);
    }

    /**
     * {@link #currentContent} and whether anything at all is there (a symlink, a directory), from one look at the
     * path: a bulk sync asks this for 10,000 new names, and on JDK 17 every look at a missing file costs two
     * exceptions.
     */
    public static Current current(Path path) throws ConfigException {
        BasicFileAttributes attributes = attributesOrNull(path);
        if (attributes == null) {
            return Current.NOTHING;
        }
        if (!attributes.isRegularFile()) {
            return new Current(true, null);
        }
        try {
            return new Current(true, Files.readAllBytes(path));
        } catch (IOException e) {
            throw new ConfigException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes {@code .hapcert-*.tmp} files left in {@code dir} by a run that died mid-write. Callers hold the
     * target's lock, so no live writer owns them. A missing directory has nothing to clean.
     *
     * @return how many were deleted
     */
    public static int removeStaleTemps(Path dir) throws ConfigException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
            for (Path p : entries) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(p)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw failure(dir, e);
        }
        return removed;
    }

    /**
     * Checks, without changing anything, that {@link #write} can replace {@code target}: callers run it before their
     * first irreversible step, so that a file that cannot be written fails the deploy while nothing has changed yet.
     * The directory must be writable (temp file and rename). An existing file whose mode lets its owner write but
     * that {@code access(2)} still calls unwritable is immutable ({@code chattr +i}), on a read-only mount or owned
     * by someone else: rename over it would fail too. (A file whose mode itself is read-only, 0400, is replaced by
     * the rename as usual, so its mode alone is no reason to refuse.)
     */
    public static void checkWritable(Path target) throws ConfigException {
        Path dir = checkTarget(target);
        if (!Files.isWritable(dir)) {
            throw new ConfigException("cannot write " + target + ": its directory " + dir + " is not writable"
                    + " (permissions, a read-only mount, or chattr +i); nothing was changed");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isWritable(target)) {
            boolean ownerMayWrite;
            try {
                ownerMayWrite = Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS)
                        .contains(PosixFilePermission.OWNER_WRITE);
            } catch (IOException e) {
                throw failure(target, e);
            }
            if (ownerMayWrite) {
                throw new ConfigException("cannot write " + target + ": it is not writable (immutable, chattr +i?"
                        + " a read-only mount? another owner?); nothing was changed");
            }
        }
    }

    private static Path checkTarget(Path target) throws ConfigException {
        if (!target.isAbsolute() || target.getFileName() == null) {
            throw new ConfigException("cannot write " + target + ": hapcert writes only to absolute file paths");
        }
        Path dir = target.getParent();
        // One look at the target answers every question (a bulk sync asks them for 10,000 files, and on JDK 17 each
        // look at a missing file costs exceptions); a target that is there is in a directory that is there.
        BasicFileAttributes attributes = attributesOrNull(target);
        if (attributes == null) {
            if (!Files.isDirectory(dir)) {
                throw new ConfigException("cannot write " + target + ": directory " + dir + " does not exist"
                        + " (hapcert does not create HAProxy's directories; create it with the right owner and mode)");
            }
        } else if (attributes.isSymbolicLink()) {
            throw new ConfigException("refusing to write " + target + ": it is a symbolic link; hapcert replaces"
                    + " files in place and will not write through a link (replace it with a regular file)");
        } else if (!attributes.isRegularFile()) {
            throw new ConfigException("refusing to write " + target + ": it exists and is not a regular file");
        }
        return dir;
    }

    /** The path's own attributes (a link is not followed); null when missing or not even those are readable. */
    private static BasicFileAttributes attributesOrNull(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;  // as Files.exists(path, NOFOLLOW_LINKS) says
        }
    }

    private static void setGroup(Path temp, String group, Path target) throws IOException, ConfigException {
        GroupPrincipal principal;
        try {
            principal = temp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new ConfigException("cannot write " + target + ": group '" + group + "' (files.group) does not"
                    + " exist on this host", e);
        }
        PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setGroup(principal);
    }

    /** Makes the renames done in {@code dir} durable (Linux fsyncs a directory opened read-only). */
    public static void syncDirectory(Path dir) throws ConfigException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw failure(dir, e);
        }
    }

    static String tempName(String targetName) {
        String name = targetName.length() > MAX_NAME_IN_TEMP ? targetName.substring(0, MAX_NAME_IN_TEMP) : targetName;
        // The random part keeps concurrent writers of one name apart; it need not be unguessable. The file is created
        // with O_EXCL, so something planted under the name only makes this write fail, and whoever can write to the
        // directory can list the name anyway (and replace the bundle itself). A SecureRandom would cost the deploy
        // hook the set-up of NativePRNG and its SHA-1 mixing, and a bulk sync's four file writers a shared lock.
        String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4);  // 48 bits
        return TEMP_PREFIX + name + "." + random + TEMP_SUFFIX;
    }

    /** Turns an I/O failure into a message about the path the operator knows, with the system's reason. */
    static ConfigException failure(Path target, IOException e) {
        String reason;
        if (e instanceof AccessDeniedException) {
            reason = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            reason = "no such file or directory";
        } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
            reason = fse.getReason().toLowerCase(java.util.Locale.ROOT);
            if (reason.contains("operation not permitted")) {
                reason += " (is the file or directory immutable, chattr +i?)";
            }
        } else {
            reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return new ConfigException("cannot write " + target + ": " + reason, e);
    }
}
