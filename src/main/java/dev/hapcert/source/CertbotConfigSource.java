package dev.hapcert.source;

import dev.hapcert.cert.Bundle;
import dev.hapcert.cert.BundleReader;
import dev.hapcert.cert.BundleValidator;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Every certbot lineage under a config directory (default {@code /etc/letsencrypt}). A lineage is what certbot
 * itself renews: a {@code renewal/<name>.conf} together with {@code live/<name>/}. Each is named after its lineage,
 * exactly as the deploy hook ({@link CertbotLineageSource}) names it, so {@code sync} and the hook agree.
 *
 * <ul>
 *   <li>{@code live/<name>/} without {@code renewal/<name>.conf}: skipped; certbot no longer renews it.</li>
 *   <li>{@code renewal/<name>.conf} without {@code live/<name>/}: failed; certbot would fail to renew it too.</li>
 *   <li>The names a certificate must cover come from the conf when it lists them, else from the certificate.</li>
 * </ul>
 */
public final class CertbotConfigSource extends CertificateStore {
    public static final Path DEFAULT_CONFIG_DIR = Path.of("/etc/letsencrypt");
    private static final String CONF_SUFFIX = ".conf";

    private final Path configDir;

    public CertbotConfigSource(Path configDir) {
        this.configDir = configDir;
    }

    @Override
    List<Entry> entries() throws HapcertException {
        Path liveDir = configDir.resolve("live");
        Path renewalDir = configDir.resolve("renewal");
        if (!Files.isDirectory(liveDir) && !Files.isDirectory(renewalDir)) {
            throw new ConfigException(configDir + " is not a certbot config directory (no live/ or renewal/ in it); "
                    + "give the directory certbot's --config-dir points to, /etc/letsencrypt by default");
        }
        TreeSet<String> lineages = new TreeSet<>();
        TreeSet<String> confs = new TreeSet<>();
        if (Files.isDirectory(liveDir)) {
            for (Path child : list(liveDir, "certbot live directory")) {
                // live/README is certbot's note to humans, not a lineage.
                if (Files.isDirectory(child)) {
                    lineages.add(child.getFileName().toString());
                }
            }
        }
        if (Files.isDirectory(renewalDir)) {
            for (Path child : list(renewalDir, "certbot renewal directory")) {
                String file = child.getFileName().toString();
                if (file.endsWith(CONF_SUFFIX) && Files.isRegularFile(child)) {
                    confs.add(stripSuffix(file, CONF_SUFFIX));
                }
            }
        }
        TreeSet<String> all = new TreeSet<>(lineages);
        all.addAll(confs);
        List<Entry> entries = new ArrayList<>();
        for (String name : all) {
            Path live = liveDir.resolve(name);
            Path conf = renewalDir.resolve(name + CONF_SUFFIX);
            if (!confs.contains(name)) {
                entries.add(Entry.skip(name, "certbot lineage " + live, "no " + conf
                        + ": certbot does not renew this lineage any more (delete it with certbot delete, or restore the file)"));
            } else {
                entries.add(Entry.load(name, new Lineage(name, live, conf)));
            }
        }
        return entries;
    }

    @Override
    public String describe() {
        return "certbot config directory " + configDir;
    }

    /** One lineage with its renewal conf. */
    private record Lineage(String name, Path live, Path conf) implements CertificateSource {
        @Override
        public List<DesiredCertificate> load() throws HapcertException {
            DesiredCertificate.checkName(name, "the lineage directory " + live);
            if (!Files.isDirectory(live)) {
                throw new InvalidInputException(conf + " exists but " + live + " does not: the lineage is broken "
                        + "(certbot renew will fail on it too); reissue it or certbot delete --cert-name " + name);
            }
            CertbotRenewalConf renewal;
            try {
                renewal = CertbotRenewalConf.parse(Files.readString(conf, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new InvalidInputException("cannot read " + conf + ": " + e.getMessage(), e);
            }
            Bundle bundle = BundleReader.fromLineage(live);
            BundleValidator.validate(bundle, renewal.declaredDomains(), Instant.now());
            List<String> required = renewal.declaredDomains().isEmpty() ? bundle.dnsNames() : renewal.declaredDomains();
            return List.of(new DesiredCertificate(name, bundle, required, describe()));
        }

        @Override
        public String describe() {
            return "certbot lineage " + live;
        }
    }
}
