package dev.hapcert.error;

/** hapcert's configuration, the discovered haproxy.cfg, or local files and permissions are wrong. */
public class ConfigException extends HapcertException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ExitCode exitCode() {
        return ExitCode.CONFIG_ERROR;
    }
}
