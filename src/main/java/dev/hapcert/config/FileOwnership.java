package dev.hapcert.config;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Mode and group of the files hapcert writes for HAProxy (certificate bundles with their private keys, the
 * crt-list). The owner is whoever runs hapcert, normally root; HAProxy reads its certificates before it drops
 * privileges, so 0600 root is enough unless HAProxy runs as an unprivileged user from the start, which is what
 * {@code group} plus a mode like 0640 are for.
 *
 * @param mode never gives anything to others and never an execute bit, because these files hold private keys
 * @param group a group name that must exist on this host when a file is written; empty keeps the writer's group
 */
public record FileOwnership(Set<PosixFilePermission> mode, Optional<String> group) {
    private static final Set<PosixFilePermission> FORBIDDEN = EnumSet.of(
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE);

    /** 0600, the writer's group. */
    public static final FileOwnership DEFAULT = new FileOwnership(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Optional.empty());

    public FileOwnership {
        Objects.requireNonNull(group, "group");
        mode = Set.copyOf(mode);
        Set<PosixFilePermission> bad = EnumSet.noneOf(PosixFilePermission.class);
        bad.addAll(mode);
        bad.retainAll(FORBIDDEN);
        if (!bad.isEmpty()) {
            String octal = octal(mode);
            String why = bad.contains(PosixFilePermission.OTHERS_READ)
                    ? "would make private keys world-readable"
                    : bad.stream().anyMatch(p -> p.name().startsWith("OTHERS"))
                            ? "would give other users access to private keys"
                            : "has an execute bit; certificate files are never executable";
            throw new InvalidSettingException("files.mode", "mode " + octal + " " + why + " (use 0600 or 0640)");
        }
        if (!mode.contains(PosixFilePermission.OWNER_READ)) {
            throw new InvalidSettingException("files.mode",
                    "mode " + octal(mode) + " leaves the owner unable to read the file (use 0600 or 0640)");
        }
        group.ifPresent(g -> {
            if (!g.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*\\$?")) {
                throw new InvalidSettingException("files.group", "must be a group name, got '" + g + "'");
            }
        });
    }

    /**
     * Parses a mode as operators write it: octal {@code "0640"}, {@code "640"} or {@code "0o640"}, or symbolic
     * {@code "rw-r-----"}. Validation of what the mode allows happens in the constructor.
     */
    public static Set<PosixFilePermission> parseMode(String text) {
        String s = text.strip();
        if (s.matches("[r-][w-][x-][r-][w-][x-][r-][w-][x-]")) {
            return PosixFilePermissions.fromString(s);
        }
        String digits = s.startsWith("0o") ? s.substring(2) : s;
        if (!digits.matches("0?[0-7]{3}")) {
            throw new InvalidSettingException("files.mode",
                    "must be an octal mode like \"0640\" or symbolic like \"rw-r-----\", got '" + text + "'");
        }
        int bits = Integer.parseInt(digits, 8);
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE};
        for (int i = 0; i < order.length; i++) {
            if ((bits & (0400 >> i)) != 0) {
                mode.add(order[i]);
            }
        }
        return mode;
    }

    /** The mode as four octal digits, e.g. {@code 0640}. */
    public static String octal(Set<PosixFilePermission> mode) {
        String symbolic = PosixFilePermissions.toString(mode.isEmpty()
                ? EnumSet.noneOf(PosixFilePermission.class) : EnumSet.copyOf(mode));
        int bits = 0;
        for (int i = 0; i < 9; i++) {
            if (symbolic.charAt(i) != '-') {
                bits |= 0400 >> i;
            }
        }
        return String.format("0%o%o%o", (bits >> 6) & 7, (bits >> 3) & 7, bits & 7);
    }

    /** This ownership's mode in octal. */
    public String octalMode() {
        return octal(mode);
    }

    /** The owner-only part of the mode: what a file may have before its group is set. */
    public Set<PosixFilePermission> ownerOnlyMode() {
        Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : mode) {
            if (p.name().startsWith("OWNER")) {
                owner.add(p);
            }
        }
        return owner;
    }
}
