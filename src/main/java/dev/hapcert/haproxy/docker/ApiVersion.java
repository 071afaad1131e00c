package dev.hapcert.haproxy.docker;

import dev.hapcert.error.InvalidInputException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Docker Engine API version such as {@code 1.41}. */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    /** The oldest version this client speaks: exec inspect's exit code and mount details are all there by 1.24. */
    public static final ApiVersion CLIENT_MIN = new ApiVersion(1, 24);
    /** The newest version this client was checked against; newer engines still serve it (Docker 29: 1.44 to 1.52). */
    public static final ApiVersion CLIENT_MAX = new ApiVersion(1, 51);

    private static final Pattern FORM = Pattern.compile("v?(\\d{1,3})\\.(\\d{1,3})");

    public ApiVersion {
        if (major < 1 || minor < 0) {
            throw new IllegalArgumentException("not an API version: " + major + "." + minor);
        }
    }

    public static ApiVersion parse(String text) throws InvalidInputException {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new InvalidInputException("not a Docker API version: '" + text + "' (expected e.g. 1.41)");
        }
        return new ApiVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /**
     * The version to speak with an engine that serves {@code engineMin} to {@code engineMax}: the newest both
     * sides know. Docker 29 refuses anything below 1.44 and Podman 4 serves 1.41, so neither a fixed old nor a
     * fixed new version works everywhere.
     *
     * @throws IllegalStateException when the ranges do not overlap; the caller turns that into an operator message
     */
    public static ApiVersion negotiate(ApiVersion engineMin, ApiVersion engineMax) {
        ApiVersion chosen = engineMax.compareTo(CLIENT_MAX) < 0 ? engineMax : CLIENT_MAX;
        if (chosen.compareTo(CLIENT_MIN) < 0 || (engineMin != null && chosen.compareTo(engineMin) < 0)) {
            throw new IllegalStateException("no common API version");
        }
        return chosen;
    }

    @Override
    public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
