package dev.hapcert.doctor;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * hapcert can write where it must: it replaces the crt-list and writes bundles atomically (a temporary file in the
 * same directory, then a rename), so it needs to create files in both directories. Tested for real by creating and
 * deleting one empty owner-only file; its name matches the temporary files deploy cleans up, should this run die
 * between the two steps. The crt-list itself must be a regular file: the rename replaces a link instead of its target,
 * so hapcert refuses to write through one.
 */
final class WritableCheck implements TargetCheck {
    static final String PROBE_PREFIX = ".hapcert-doctor-";
    static final String PROBE_SUFFIX = ".tmp";

    @Override
    public String id() {
        return "writable";
    }

    @Override
    public List<Finding> run(TargetProbe probe) {
        if (probe.pathsComeFromContainerMounts()) {
            return List.of(); // ContainerCheck maps them from the container's mounts and checks them there
        }
        TargetConfig target = probe.target();
        Set<Path> dirs = new LinkedHashSet<>();
        Path crtList;
        try {
            crtList = target.paths().toHost(target.crtList());
            dirs.add(target.paths().toHost(target.certDir()));
        } catch (ConfigException e) {
            return List.of(); // reported by the paths check
        }
        if (crtList.getParent() != null) {
            dirs.add(crtList.getParent());
        }
        List<Finding> findings = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue; // reported by the paths check
            }
            String problem = tryCreate(dir);
            if (problem == null) {
                findings.add(Finding.ok(id(), target.name(), "can create files in " + dir));
            } else {
                findings.add(Finding.fail(id(), target.name(), "cannot create files in " + dir + " (" + problem
                        + "); hapcert writes certificates and the crt-list there atomically",
                        "run hapcert as the user owning " + dir + " (usually root), or give that user write access;"
                                + " a read-only mount or an immutable directory (lsattr -d) has the same effect"));
            }
        }
        if (Files.isSymbolicLink(crtList)) {
            findings.add(Finding.fail(id(), target.name(), "crt-list " + crtList + " is a symbolic link; hapcert replaces"
                    + " the crt-list by a rename and will not write through a link",
                    "replace the link by the file itself (cp --remove-destination \"$(readlink -f " + crtList + ")\" "
                            + crtList + "), or point crt-list at the real file in haproxy.cfg"));
        }
        return findings;
    }

    /** Creates and deletes one empty file; returns why that failed, or null. Never leaves the file behind. */
    static String tryCreate(Path dir) {
        Path probe = null;
        try {
            probe = Files.createTempFile(dir, PROBE_PREFIX, PROBE_SUFFIX,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            return null;
        } catch (IOException | SecurityException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return e.getClass().getSimpleName().replace("Exception", "") + ": " + reason.replace(dir.toString() + "/", "");
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException e) {
                    // Deploy removes leftover .hapcert-*.tmp files under its lock.
                }
            }
        }
    }
}
