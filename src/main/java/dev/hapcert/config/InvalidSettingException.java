package dev.hapcert.config;

/**
 * A configuration value object was built from an invalid setting. Thrown by the records' constructors, which
 * cannot throw checked exceptions; {@link ConfigLoader} and {@link HaproxyCfgDiscovery} turn it into a
 * {@link dev.hapcert.error.ConfigException} that also names the file and the place in it.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    /**
     * @param key the setting's key as an operator writes it ({@code crt-list}, {@code files.mode})
     * @param problem what is wrong, phrased to follow the key ("must be an absolute path, got 'x'")
     */
    public InvalidSettingException(String key, String problem) {
        super("'" + key + "' " + problem);
        this.key = key;
        this.problem = problem;
    }

    /** The offending setting's key, e.g. {@code reload.master-socket}. */
    public String key() {
        return key;
    }

    /** What is wrong, without the key. */
    public String problem() {
        return problem;
    }
}
