package dev.hapcert.deploy;

import dev.hapcert.cert.Bundle;
import dev.hapcert.error.HaproxyRefusedException;
import dev.hapcert.haproxy.Command;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How a bundle travels in {@code set ssl cert}. In HAProxy 2.6 a command with its payload must fit in one buffer
 * ({@code tune.bufsize}); past it HAProxy drops the connection without a word. A larger bundle goes as two payloads in
 * the same transaction: the certificates under the name, then the key under {@code <name>.key}. One decision for the
 * one-certificate and the bulk path.
 */
final class BundlePayloads {
    /** Room for the command line around the payload, the closing empty line and HAProxy's own framing. */
    private static final int MARGIN = 64;

    private BundlePayloads() {
    }

    /** The whole bundle, key, leaf and chain ({@link BundleForm#pem}), as one payload. */
    static String whole(byte[] haproxyPem) {
        return new String(haproxyPem, StandardCharsets.US_ASCII);
    }

    /**
     * The {@code set ssl cert} commands that load a bundle into the transaction of {@code certName}: the whole bundle,
     * or the certificates and then the key apart when together they exceed {@code payloadLimit}.
     *
     * @throws HaproxyRefusedException when even the certificates alone exceed the limit
     */
    static List<Command> setCommands(String certName, Bundle bundle, BundleForm form, byte[] haproxyPem,
                                     int payloadLimit) throws HaproxyRefusedException {
        if (keyApart(certName, bundle, form, haproxyPem, payloadLimit)) {
            return List.of(Command.withPayload(form.certificatesPem(bundle), "set", "ssl", "cert", certName),
                    Command.withPayload(bundle.keyPem(), "set", "ssl", "cert", certName + ".key"));
        }
        return List.of(Command.withPayload(whole(haproxyPem), "set", "ssl", "cert", certName));
    }

    /**
     * Whether the key must go apart. The caller passes the bundle's {@link BundleForm#pem}, which it needs
     * anyway, rather than have it encoded once more here.
     *
     * @throws HaproxyRefusedException when even the certificates alone exceed the limit
     */
    static boolean keyApart(String certName, Bundle bundle, BundleForm form, byte[] haproxyPem, int payloadLimit)
            throws HaproxyRefusedException {
        int overhead = "set ssl cert ".length() + certName.length() + " <<\n".length() + 2 + MARGIN;
        if (haproxyPem.length + overhead <= payloadLimit) {
            return false;
        }
        String certificates = form.certificatesPem(bundle);
        if (certificates.length() + overhead > payloadLimit) {
            throw new HaproxyRefusedException("the certificates of " + certName + " take " + certificates.length()
                    + " bytes, more than HAProxy accepts in one Runtime API payload (" + payloadLimit
                    + " bytes, tune.bufsize): raise tune.bufsize in haproxy.cfg (zero-config reads it from there)"
                    + " and payload-limit in hapcert.yml to match");
        }
        return true;
    }
}
