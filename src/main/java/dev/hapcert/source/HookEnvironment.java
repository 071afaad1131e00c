package dev.hapcert.source;

import dev.hapcert.error.InvalidInputException;
import dev.hapcert.error.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises how an ACME client describes the certificate when it runs {@code hapcert deploy} as its hook, so that
 * {@code hapcert deploy} without certificate options does the right thing whichever client called it.
 *
 * <p>Environments ({@link #detect}):
 * <ul>
 *   <li>certbot deploy hook: {@code RENEWED_LINEAGE}, {@code RENEWED_DOMAINS} (space-separated).</li>
 *   <li>lego 4 run/renew hook: {@code LEGO_CERT_PATH}, {@code LEGO_CERT_KEY_PATH}, {@code LEGO_CERT_DOMAIN}
 *       (the main domain only).</li>
 *   <li>lego 5 hooks: {@code LEGO_HOOK_CERT_PATH}, {@code LEGO_HOOK_CERT_KEY_PATH}, {@code LEGO_HOOK_CERT_DOMAINS}
 *       (comma-separated).</li>
 *   <li>acme.sh {@code --reloadcmd} and {@code --renew-hook}: {@code Le_Domain}, {@code CERT_FULLCHAIN_PATH},
 *       {@code CERT_KEY_PATH}.</li>
 * </ul>
 * Arguments ({@link #detectArguments}): dehydrated runs its hook as
 * {@code HOOK deploy_cert DOMAIN KEYFILE CERTFILE FULLCHAINFILE CHAINFILE TIMESTAMP} and with other event names
 * it must ignore.
 *
 * <p>Names follow the stores: certbot's lineage directory, lego's file name, acme.sh's and dehydrated's certificate
 * directory, each with a leading "*." turned into "wildcard_.", so a hook and a later {@code sync} agree.
 */
public final class HookEnvironment {
    /** dehydrated's hook events other than deploy_cert (dehydrated 0.7); none of them concerns hapcert. */
    private static final Set<String> DEHYDRATED_OTHER_EVENTS = Set.of("deploy_challenge", "clean_challenge",
            "sync_cert", "deploy_ocsp", "unchanged_cert", "invalid_challenge", "request_failure", "generate_csr",
            "startup_hook", "exit_hook");
    /** What a future dehydrated event name looks like; such names are ignored as dehydrated's contract requires. */
    private static final Pattern EVENT_NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private HookEnvironment() {
    }

    /**
     * The source the calling ACME client describes in the environment, if any.
     *
     * @param nameOverride {@code --name}, or null for the client's own name for the certificate
     * @throws InvalidInputException when a client's variables are present but unusable (set but empty, a
     *     companion variable missing), or when two clients' variables are present at once
     */
    public static Optional<CertificateSource> detect(Map<String, String> env, String nameOverride) throws InvalidInputException {
        List<String> present = new ArrayList<>();
        for (String marker : List.of("RENEWED_LINEAGE", "LEGO_HOOK_CERT_PATH", "LEGO_CERT_PATH", "Le_Domain")) {
            if (env.containsKey(marker)) {
                present.add(marker);
            }
        }
        if (present.isEmpty()) {
            return Optional.empty();
        }
        if (present.size() > 1) {
            throw new InvalidInputException("the environment describes more than one ACME client's hook ("
                    + String.join(", ", present) + " are all set); unset the stale ones or give the certificate "
                    + "explicitly with --lineage or --fullchain/--key");
        }
        return Optional.of(switch (present.get(0)) {
            case "RENEWED_LINEAGE" -> new CertbotLineageSource(
                    Path.of(required(env, "RENEWED_LINEAGE", "certbot", "the lineage's live directory, e.g. /etc/letsencrypt/live/example.com")),
                    splitNames(env.get("RENEWED_DOMAINS")), nameOverride);
            case "LEGO_HOOK_CERT_PATH" -> LegoSource.forCertificateFile(
                    Path.of(required(env, "LEGO_HOOK_CERT_PATH", "lego", "the certificate file")),
                    Path.of(required(env, "LEGO_HOOK_CERT_KEY_PATH", "lego", "the key file")),
                    splitNames(env.get("LEGO_HOOK_CERT_DOMAINS")), nameOverride);
            case "LEGO_CERT_PATH" -> LegoSource.forCertificateFile(
                    Path.of(required(env, "LEGO_CERT_PATH", "lego", "the certificate file")),
                    Path.of(required(env, "LEGO_CERT_KEY_PATH", "lego", "the key file")),
                    splitNames(env.get("LEGO_CERT_DOMAIN")), nameOverride);
            default -> acmeSh(env, nameOverride);
        });
    }

    private static CertificateSource acmeSh(Map<String, String> env, String nameOverride) throws InvalidInputException {
        String domain = required(env, "Le_Domain", "acme.sh", "the certificate's main domain");
        Path fullchain = Path.of(required(env, "CERT_FULLCHAIN_PATH", "acme.sh", "fullchain.cer in the certificate's directory"));
        Path key = Path.of(required(env, "CERT_KEY_PATH", "acme.sh", "the key file"));
        Path dir = fullchain.toAbsolutePath().normalize().getParent();
        String dirName = dir == null || dir.getFileName() == null ? domain : dir.getFileName().toString();
        return new ClientFilesSource("acme.sh", dirName, "the acme.sh directory " + dir, fullchain,
                dir == null ? null : dir.resolve("ca.cer"), key, List.of(domain), nameOverride);
    }

    /**
     * What the hook arguments ask for, if the arguments are a hook call at all (none: empty).
     *
     * <ul>
     *   <li>{@code deploy_cert DOMAIN KEYFILE CERTFILE FULLCHAINFILE CHAINFILE [TIMESTAMP]}: deploy FULLCHAINFILE
     *       with KEYFILE, named after their directory, required to cover DOMAIN.</li>
     *   <li>any other dehydrated event, and any name shaped like one (dehydrated calls its hook with new event
     *       names, and with a probe name at startup, and requires exit 0): {@link HookRequest.Ignore}.</li>
     * </ul>
     *
     * @param nameOverride {@code --name}, or null
     * @throws InvalidInputException for a {@code deploy_cert} call with missing or empty arguments, or arguments
     *     that are no hook call (a path given without an option, for instance)
     */
    public static Optional<HookRequest> detectArguments(List<String> args, String nameOverride)
            throws InvalidInputException, UsageException {
        if (args.isEmpty()) {
            return Optional.empty();
        }
        String event = args.get(0);
        if (event.equals("deploy_cert")) {
            if (args.size() < 6 || args.size() > 7 || args.subList(1, 6).stream().anyMatch(String::isBlank)) {
                throw new InvalidInputException("deploy_cert needs DOMAIN KEYFILE CERTFILE FULLCHAINFILE CHAINFILE "
                        + "[TIMESTAMP], as dehydrated passes them; got " + (args.size() - 1) + " argument(s)");
            }
            Path key = Path.of(args.get(2));
            Path fullchain = Path.of(args.get(4));
            Path dir = fullchain.toAbsolutePath().normalize().getParent();
            return Optional.of(new HookRequest.Deploy(DehydratedSource.forCertificateDir(
                    dir == null ? fullchain : dir, fullchain, key, List.of(args.get(1)), nameOverride)));
        }
        if (DEHYDRATED_OTHER_EVENTS.contains(event)) {
            return Optional.of(new HookRequest.Ignore("dehydrated event " + event + ": nothing to deploy"));
        }
        if (EVENT_NAME.matcher(event).matches()) {
            return Optional.of(new HookRequest.Ignore("unknown hook event " + event
                    + " ignored (dehydrated requires hooks to ignore events they do not know)"));
        }
        throw new UsageException("unexpected argument '" + DesiredCertificate.printable(event)
                + "': hapcert deploy takes arguments only as dehydrated's hook (deploy_cert DOMAIN KEYFILE CERTFILE "
                + "FULLCHAINFILE CHAINFILE TIMESTAMP); give files with --fullchain FILE --key FILE");
    }

    private static String required(Map<String, String> env, String variable, String client, String meaning)
            throws InvalidInputException {
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(variable + " is " + (value == null ? "not set" : "set but empty")
                    + ": " + client + " sets it to " + meaning + " when it runs a hook");
        }
        return value;
    }

    static List<String> splitNames(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.trim().split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
    }
}
