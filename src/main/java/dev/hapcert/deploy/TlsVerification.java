package dev.hapcert.deploy;

import dev.hapcert.cert.Bundle;
import dev.hapcert.cert.HaproxyCertFormat;
import dev.hapcert.error.VerificationException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code --verify-tls}: whether the address serves a certificate for each of its names, by a real TLS handshake per
 * name ({@link TlsProbe}). Many certificates are checked on a few threads at once: a handshake mostly waits for
 * the two sides' key exchange and signature, and one after the other they took a sync of 5,000 certificates longer
 * than everything else it did.
 */
final class TlsVerification {
    /** Handshakes in flight at once; HAProxy answers them on its own threads, beside the Runtime API. */
    static final int THREADS = 4;

    /** What a certificate's names must present: the leaf with this SHA-1 fingerprint (the serial names it). */
    record Expected(List<String> dnsNames, String serialHex, String sha1Fingerprint) {
        Expected {
            dnsNames = List.copyOf(dnsNames);
        }

        static Expected of(Bundle bundle) {
            return new Expected(bundle.dnsNames(), bundle.serialHex(), bundle.sha1Fingerprint());
        }
    }

    private TlsVerification() {
    }

    /** One certificate: every name must present it, else the first that does not is the error. */
    static void check(DeployOptions.TlsEndpoint endpoint, Expected expected) throws VerificationException {
        for (String name : expected.dnsNames()) {
            X509Certificate served = TlsProbe.servedCertificate(endpoint.host(), endpoint.port(), TlsProbe.probeName(name));
            if (!HaproxyCertFormat.sha1Fingerprint(served).equalsIgnoreCase(expected.sha1Fingerprint())) {
                throw new VerificationException(endpoint.host() + ":" + endpoint.port() + " serves serial "
                        + HaproxyCertFormat.serial(served) + " for " + name + ", expected " + expected.serialHex());
            }
        }
    }

    /** Many certificates, concurrently: for each, in the given order, empty when verified, else why not. */
    static List<Optional<VerificationException>> checkAll(DeployOptions.TlsEndpoint endpoint, List<Expected> expected) {
        List<Optional<VerificationException>> outcomes = new ArrayList<>(expected.size());
        if (expected.isEmpty()) {
            return outcomes;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(THREADS, expected.size()), r -> {
            Thread t = new Thread(r, "hapcert-verify-tls");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Optional<VerificationException>>> pending = new ArrayList<>(expected.size());
            for (Expected e : expected) {
                pending.add(pool.submit(() -> {
                    try {
                        check(endpoint, e);
                        return Optional.<VerificationException>empty();
                    } catch (VerificationException failed) {
                        return Optional.of(failed);
                    }
                }));
            }
            for (Future<Optional<VerificationException>> f : pending) {
                outcomes.add(outcomeOf(f));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Optional<VerificationException> outcomeOf(Future<Optional<VerificationException>> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            return Optional.of(new VerificationException("TLS verification failed: " + e.getCause(), e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(new VerificationException("interrupted during TLS verification"));
        }
    }
}
