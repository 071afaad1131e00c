package dev.hapcert.doctor;

import dev.hapcert.config.PathMapping;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.haproxy.CrtListEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The paths HAProxy uses exist on this host: the crt-list, the certificate directory and every certificate HAProxy
 * loaded from the crt-list. They differ when HAProxy runs in a container or its files live elsewhere than hapcert
 * thinks; {@code paths} in hapcert.yml maps one view to the other.
 */
final class PathCheck implements TargetCheck {
    private static final int SHOWN = 3;

    @Override
    public String id() {
        return "paths";
    }

    @Override
    public List<Finding> run(TargetProbe probe) throws HapcertException {
        if (probe.pathsComeFromContainerMounts()) {
            return List.of(); // ContainerCheck maps them from the container's mounts and checks them there
        }
        TargetConfig target = probe.target();
        List<Finding> findings = new ArrayList<>();
        findings.add(exists(target, "crt-list", target.crtList(), false));
        findings.add(exists(target, "cert-dir", target.certDir(), true));
        if (probe.client().isPresent() && probe.crtLists().filter(l -> l.contains(target.crtList())).isPresent()) {
            List<CrtListEntry> entries = probe.client().get().showCrtList(target.crtList());
            List<String> missing = new ArrayList<>();
            for (CrtListEntry entry : entries) {
                Path host = hostPath(target.paths(), entry.certificate());
                if (host == null || !Files.exists(host)) {
                    missing.add(entry.certificate() + (host == null ? " (not under any mapped directory)"
                            : host.toString().equals(entry.certificate()) ? "" : " (here " + host + ")"));
                }
            }
            if (!missing.isEmpty()) {
                findings.add(Finding.fail(id(), target.name(), missing.size() + " of " + entries.size()
                        + " certificate(s) HAProxy loaded from " + target.crtList() + " are missing on this host: "
                        + shorten(missing) + "; HAProxy and this host see different files", mappingFix(target)));
            } else if (!entries.isEmpty()) {
                findings.add(Finding.ok(id(), target.name(), "all " + entries.size() + " certificate(s) HAProxy loaded"
                        + " from the crt-list exist on this host"));
            }
        }
        return findings;
    }

    private Finding exists(TargetConfig target, String key, String haproxyPath, boolean directory) {
        Path host = hostPath(target.paths(), haproxyPath);
        String seenAs = host != null && !host.toString().equals(haproxyPath) ? " (here " + host + ")" : "";
        boolean ok = host != null && (directory ? Files.isDirectory(host) : Files.isRegularFile(host));
        if (ok) {
            return Finding.ok(id(), target.name(), key + " " + haproxyPath + seenAs + " exists");
        }
        String what = directory ? "directory" : "file";
        return Finding.fail(id(), target.name(), key + " " + haproxyPath + seenAs + " is no " + what + " on this host",
                mappingFix(target) + (directory ? "" : "; if it really is missing, create it (an empty crt-list is fine)"
                        + " and name it in haproxy.cfg"));
    }

    private static Path hostPath(PathMapping paths, String haproxyPath) {
        try {
            return paths.toHost(haproxyPath);
        } catch (ConfigException notMapped) {
            return null;
        }
    }

    private static String mappingFix(TargetConfig target) {
        return "if HAProxy runs in a container or its files are mounted elsewhere, map its directories in hapcert.yml:"
                + " `paths: [{haproxy: <dir HAProxy sees>, host: <same dir here>}]`"
                + (target.paths().mounts().isEmpty() ? "" : " (now: " + target.paths().mounts().stream()
                        .map(m -> m.haproxyPath() + " -> " + m.hostPath()).toList() + ")");
    }

    private static String shorten(List<String> items) {
        List<String> shown = items.subList(0, Math.min(SHOWN, items.size()));
        return String.join(", ", shown) + (items.size() > SHOWN ? " and " + (items.size() - SHOWN) + " more" : "");
    }
}
