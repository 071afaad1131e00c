package dev.hapcert.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs Debian's real certbot against a {@link Pebble}, with all of certbot's state in a temp dir. */
public final class Certbot {
    private final Path dir;
    private final Pebble pebble;

    public Certbot(Path dir, Pebble pebble) {
        this.dir = dir;
        this.pebble = pebble;
    }

    public Path configDir() {
        return dir.resolve("config");
    }

    public Path live(String lineage) {
        return configDir().resolve("live").resolve(lineage);
    }

    /** {@code certbot certonly --standalone} for the names, with {@code deployHook} as {@code --deploy-hook} (null: none). */
    public CommandRun certonly(String deployHook, String... domains) {
        return certonlyWithKey(List.of("--key-type", "ecdsa"), deployHook, domains);
    }

    /**
     * As {@link #certonly(String, String...)} with the key options given, e.g. {@code --key-type rsa --rsa-key-size 4096}
     * or {@code --key-type ecdsa --elliptic-curve secp384r1}.
     */
    public CommandRun certonlyWithKey(List<String> keyOptions, String deployHook, String... domains) {
        List<String> cmd = base("certonly");
        cmd.addAll(List.of("--agree-tos", "-m", "ops@example.org", "--server", pebble.directoryUrl(),
                "--standalone", "--http-01-port", String.valueOf(FreePorts.next()), "--http-01-address", "127.0.0.1"));
        cmd.addAll(keyOptions);
        if (deployHook != null) {
            cmd.addAll(List.of("--deploy-hook", deployHook));
        }
        for (String d : domains) {
            cmd.addAll(List.of("-d", d));
        }
        return CommandRun.run(cmd, env(), dir, Duration.ofSeconds(120));
    }

    /** {@code certbot renew --force-renewal}: runs the saved deploy hook and {@code renewal-hooks/deploy/*}. */
    public CommandRun renew() {
        List<String> cmd = base("renew");
        cmd.addAll(List.of("--force-renewal", "--no-random-sleep-on-renew", "--http-01-port",
                String.valueOf(FreePorts.next())));
        return CommandRun.run(cmd, env(), dir, Duration.ofSeconds(120));
    }

    private List<String> base(String verb) {
        return new ArrayList<>(List.of("certbot", verb, "--non-interactive", "--config-dir", configDir().toString(),
                "--work-dir", dir.resolve("work").toString(), "--logs-dir", dir.resolve("logs").toString()));
    }

    private Map<String, String> env() {
        return Map.of("REQUESTS_CA_BUNDLE", pebble.caBundle().toString());
    }
}
