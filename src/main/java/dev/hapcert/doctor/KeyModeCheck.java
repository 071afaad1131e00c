package dev.hapcert.doctor;

import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The bundles in the certificate directory hold private keys: others must have no access at all, and the group only
 * when one is configured for HAProxy to read them through ({@code files.group}).
 */
final class KeyModeCheck implements TargetCheck {
    private static final int SHOWN = 3;

    @Override
    public String id() {
        return "key-modes";
    }

    @Override
    public List<Finding> run(TargetProbe probe) {
        if (probe.pathsComeFromContainerMounts()) {
            return List.of(); // ContainerCheck maps them from the container's mounts and checks them there
        }
        TargetConfig target = probe.target();
        Path dir;
        try {
            dir = target.paths().toHost(target.certDir());
        } catch (ConfigException e) {
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        boolean groupConfigured = target.files().group().isPresent();
        List<String> others = new ArrayList<>();
        List<String> group = new ArrayList<>();
        int count = 0;
        try (DirectoryStream<Path> bundles = Files.newDirectoryStream(dir, "*.pem")) {
            for (Path bundle : bundles) {
                if (!Files.isRegularFile(bundle)) {
                    continue;
                }
                count++;
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(bundle);
                String shown = bundle.getFileName() + " (" + octal(mode) + ")";
                if (mode.stream().anyMatch(p -> p.name().startsWith("OTHERS"))) {
                    others.add(shown);
                } else if (mode.contains(PosixFilePermission.GROUP_WRITE)
                        || !groupConfigured && mode.contains(PosixFilePermission.GROUP_READ)) {
                    group.add(shown);
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            return List.of(Finding.warn(id(), target.name(), "cannot read the modes of the bundles in " + dir + ": "
                    + e.getMessage(), "let the user running hapcert list " + dir));
        }
        List<Finding> findings = new ArrayList<>();
        if (!others.isEmpty()) {
            findings.add(Finding.fail(id(), target.name(), others.size() + " bundle(s) in " + dir + " give other users"
                    + " access to their private key: " + shorten(others),
                    "chmod o-rwx " + dir + "/*.pem, then consider the keys exposed and renew those certificates"));
        }
        if (!group.isEmpty()) {
            findings.add(Finding.warn(id(), target.name(), group.size() + " bundle(s) in " + dir + " are "
                    + (groupConfigured ? "group-writable" : "group-readable with no files.group configured") + ": "
                    + shorten(group),
                    groupConfigured ? "chmod g-w " + dir + "/*.pem"
                            : "chmod g-rwx " + dir + "/*.pem, or set files.group (and mode 0640) in hapcert.yml when"
                                    + " HAProxy reads its certificates through a group"));
        }
        if (findings.isEmpty()) {
            findings.add(Finding.ok(id(), target.name(), count == 0 ? "no bundles in " + dir + " yet"
                    : count + " bundle(s) in " + dir + ", none readable by others"));
        }
        return findings;
    }

    private static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 0400 >> p.ordinal();
        }
        return String.format("%04o", bits);
    }

    private static String shorten(List<String> items) {
        List<String> shown = items.subList(0, Math.min(SHOWN, items.size()));
        return String.join(", ", shown) + (items.size() > SHOWN ? " and " + (items.size() - SHOWN) + " more" : "");
    }
}
