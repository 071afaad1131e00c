package dev.hapcert.doctor;

import dev.hapcert.config.DiscoveredHaproxy;
import dev.hapcert.config.HaproxyCfgDiscovery;
import dev.hapcert.config.TargetConfig;
import dev.hapcert.error.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * New certificates can only be added to a crt-list: HAProxy must use the configured one (its Runtime API name is
 * exactly the string written after {@code crt-list}), and a bind line that names certificates with a plain
 * {@code crt file.pem} can have them replaced but never gets new ones.
 */
final class CrtListCheck implements TargetCheck {
    @Override
    public String id() {
        return "crt-list";
    }

    @Override
    public List<Finding> run(TargetProbe probe) {
        List<Finding> findings = new ArrayList<>();
        TargetConfig target = probe.target();
        probe.crtLists().ifPresent(lists -> findings.add(inHaproxy(target, lists)));
        target.haproxyConfig().ifPresent(cfg -> findings.addAll(directBinds(target, cfg)));
        return findings;
    }

    private Finding inHaproxy(TargetConfig target, List<String> lists) {
        String wanted = target.crtList();
        if (lists.contains(wanted)) {
            return Finding.ok(id(), target.name(), "HAProxy uses crt-list " + wanted);
        }
        String normalized = Path.of(wanted).normalize().toString();
        Optional<String> spelledOtherwise = lists.stream()
                .filter(l -> l.startsWith("/") && Path.of(l).normalize().toString().equals(normalized)).findFirst();
        if (spelledOtherwise.isPresent()) {
            return Finding.fail(id(), target.name(), "HAProxy knows the crt-list as '" + spelledOtherwise.get()
                    + "', not '" + wanted + "': the Runtime API matches names as written, character by character",
                    "set crt-list to '" + spelledOtherwise.get() + "' exactly as haproxy.cfg writes it");
        }
        String known = lists.isEmpty() ? "none" : String.join(", ", lists);
        return Finding.fail(id(), target.name(), "HAProxy has no crt-list named " + wanted + " (it has: " + known + ")",
                "add `crt-list " + wanted + "` to the TLS bind line in haproxy.cfg and reload HAProxy once, or set"
                        + " crt-list in hapcert.yml to one HAProxy uses");
    }

    private List<Finding> directBinds(TargetConfig target, Path cfg) {
        DiscoveredHaproxy discovered;
        List<String> lines;
        try {
            lines = Files.readAllLines(cfg, StandardCharsets.ISO_8859_1);
            discovered = HaproxyCfgDiscovery.discover(cfg);
        } catch (IOException e) {
            return List.of(Finding.warn(id(), target.name(), "cannot read haproxy-config " + cfg + ": " + e.getMessage(),
                    "point haproxy-config at the haproxy.cfg this HAProxy runs with, readable by hapcert"));
        } catch (ConfigException e) {
            // Zero-config discovery refuses files it cannot reduce to one target (several crt-lists, say); a
            // hapcert.yml already chose, so the bind lines are simply not analysed here.
            return List.of();
        }
        List<Finding> findings = new ArrayList<>();
        for (DiscoveredHaproxy.DirectCrtBind bind : discovered.directCrtBinds()) {
            if (bind.lineNumber() <= lines.size() && hasCrtList(lines.get(bind.lineNumber() - 1))) {
                continue; // crt next to crt-list: the bind's default certificate, fine
            }
            findings.add(Finding.warn(id(), target.name(), "bind " + bind.address() + " (" + bind.section() + ", line "
                    + bind.lineNumber() + " of " + cfg + ") names certificates only with `crt` ("
                    + String.join(", ", bind.certificates()) + "): they can be replaced at runtime, but HAProxy cannot"
                    + " add new certificates to this bind line",
                    "list those certificates in a crt-list, one per line, and change the line to `bind "
                            + bind.address() + " ssl crt-list " + target.crtList() + " ...`, then reload HAProxy once"));
        }
        return findings;
    }

    private static boolean hasCrtList(String rawLine) {
        for (String word : rawLine.strip().split("\\s+")) {
            if (word.startsWith("#")) {
                return false;
            }
            if (word.equals("crt-list")) {
                return true;
            }
        }
        return false;
    }
}
