package dev.hapcert.it;

import dev.hapcert.testkit.HaproxyProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a hapcert.yml (schema in docs/configuration.md) for test HAProxies: one target per entry, its lock file in
 * the test's temp dir so runs never share a lock with anything outside the test.
 *
 * @param name the target's name
 * @param runtimeApi the address as in haproxy.cfg: a socket path or {@code ipv4@127.0.0.1:port}
 * @param masterCli whether {@code runtimeApi} is the master CLI
 * @param haproxy the HAProxy whose crt-list and certs dir the target uses
 */
record HapcertYml(String name, String runtimeApi, boolean masterCli, HaproxyProcess haproxy) {

    static HapcertYml adminSocket(String name, HaproxyProcess haproxy) {
        return new HapcertYml(name, haproxy.adminSocket().toString(), false, haproxy);
    }

    static Path write(Path dir, HapcertYml... targets) {
        StringBuilder yml = new StringBuilder("version: 1\ntargets:\n");
        for (HapcertYml t : List.of(targets)) {
            yml.append("  - name: ").append(t.name).append('\n')
                    .append("    runtime-api: \"").append(t.runtimeApi).append("\"\n")
                    .append("    master-cli: ").append(t.masterCli).append('\n')
                    .append("    crt-list: ").append(t.haproxy.crtList()).append('\n')
                    .append("    cert-dir: ").append(t.haproxy.certsDir()).append('\n')
                    .append("    lock-file: ").append(dir.resolve(t.name + ".lock")).append('\n');
        }
        try {
            Path file = dir.resolve("hapcert.yml");
            Files.writeString(file, yml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
