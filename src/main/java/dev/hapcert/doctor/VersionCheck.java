package dev.hapcert.doctor;

import dev.hapcert.error.HapcertException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * HAProxy's version from {@code show info}, and which certificate commands it has (from HAProxy's management
 * guide): {@code set/commit/abort ssl cert} since 2.1; {@code new/del ssl cert} and {@code add/del/show ssl crt-list}
 * since 2.2; {@code dump ssl cert} since 3.1.
 */
final class VersionCheck implements TargetCheck {
    @Override
    public String id() {
        return "version";
    }

    @Override
    public List<Finding> run(TargetProbe probe) throws HapcertException {
        if (probe.client().isEmpty()) {
            return List.of();
        }
        return List.of(judge(probe.name(), probe.client().get().version()));
    }

    /** The finding for a version string as {@code show info} gives it. */
    static Finding judge(String target, String reported) {
        Optional<HaproxyVersion> parsed = HaproxyVersion.parse(reported);
        if (parsed.isEmpty()) {
            return Finding.warn("version", target, "HAProxy reported an unreadable version '" + reported + "'",
                    "check that the Runtime API address belongs to HAProxy 2.2 or newer");
        }
        HaproxyVersion v = parsed.get();
        String name = "HAProxy " + v.text();
        if (!v.atLeast(2, 1)) {
            return Finding.fail("version", target, name + " cannot change certificates at runtime (set/commit ssl cert"
                    + " came in 2.1)", "upgrade HAProxy to 2.2 or newer (a current LTS such as 2.8 or 3.0 is best);"
                    + " until then only a reload loads new certificates");
        }
        if (!v.atLeast(2, 2)) {
            return Finding.warn("version", target, name + " can replace certificates it already serves (set/commit ssl"
                    + " cert) but cannot add new ones: new ssl cert and add ssl crt-list came in 2.2",
                    "upgrade HAProxy to 2.2 or newer; until then configure `reload` in hapcert.yml so new certificates"
                            + " are loaded by a reload");
        }
        List<String> has = new ArrayList<>(List.of("set/commit/abort ssl cert", "new/del ssl cert",
                "add/del/show ssl crt-list"));
        String missing = "";
        if (v.atLeast(3, 1)) {
            has.add("dump ssl cert");
        } else {
            missing = "; dump ssl cert needs 3.1 (not used by hapcert)";
        }
        return Finding.ok("version", target, name + ": " + String.join(", ", has) + missing);
    }
}
