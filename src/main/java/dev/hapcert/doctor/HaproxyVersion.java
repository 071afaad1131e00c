package dev.hapcert.doctor;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HAProxy version as {@code show info} reports it ({@code 2.6.12-1+deb12u4}, {@code 3.1-dev5}), reduced to what
 * decides which certificate commands exist: major and minor.
 */
record HaproxyVersion(int major, int minor, String text) {
    private static final Pattern LEADING = Pattern.compile("(\\d+)\\.(\\d+).*");

    static Optional<HaproxyVersion> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = LEADING.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new HaproxyVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), text.strip()));
        } catch (NumberFormatException tooLong) {
            return Optional.empty();
        }
    }

    boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || major == wantMajor && minor >= wantMinor;
    }
}
