package dev.hapcert.deploy;

import dev.hapcert.config.FileOwnership;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.store.AtomicFileWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes the bundle files of one batch of a bulk sync, on the writer thread, while the socket thread sends the
 * previous batch: each file atomically with its final mode from creation and fsynced before its rename
 * ({@link AtomicFileWriter#replace}), then each directory fsynced once for the whole batch rather than once per file.
 * Only when this returns may the batch's commits be sent: persist first.
 */
final class BulkFileWriter {
    private final FileOwnership ownership;
    private final BundleForm form;

    BulkFileWriter(FileOwnership ownership, BundleForm form) {
        this.ownership = ownership;
        this.form = form;
    }

    /**
     * Renders and writes the batch. A certificate whose file cannot be written gets its failed result here and is
     * left out of the batch's commands, before HAProxy is touched for it.
     *
     * @throws ConfigException when a directory cannot be synced: the renames are visible, but not yet durable, so no
     *     commit of the batch may go out
     */
    void write(List<BulkItem> batch, String targetName) throws ConfigException {
        Set<Path> dirs = new LinkedHashSet<>();
        for (BulkItem item : batch) {
            if (item.pem == null) {
                item.pem = form.pem(item.certificate.bundle());  // a new file: not encoded while planning
            }
            if (!item.work.writeBundle()) {
                continue;
            }
            try {
                AtomicFileWriter.replace(item.bundlePath, item.pem, ownership);
                item.fileWritten = true;
                dirs.add(item.bundlePath.getParent());
            } catch (HapcertException e) {
                item.finish(targetName, Outcome.forFailure(e.exitCode()), e.getMessage());
            }
        }
        for (Path dir : dirs) {
            AtomicFileWriter.syncDirectory(dir);
        }
    }

    /** Puts back the file a refused certificate replaced, or removes the one it created. */
    String undo(BulkItem item) {
        if (!item.fileWritten) {
            return null;
        }
        try {
            if (item.previousFile != null) {
                AtomicFileWriter.write(item.bundlePath, item.previousFile, ownership);
            } else {
                Files.deleteIfExists(item.bundlePath);
            }
            item.fileWritten = false;
            return null;
        } catch (HapcertException | IOException e) {
            return "could not restore " + item.bundlePath + ": " + e.getMessage();
        }
    }
}
