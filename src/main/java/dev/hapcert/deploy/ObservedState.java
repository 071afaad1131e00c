package dev.hapcert.deploy;

import java.time.Instant;
import java.util.Optional;

/**
 * What one HAProxy and its files hold for one certificate name right now.
 *
 * @param loaded what {@code show ssl cert <name>} reports, empty when no store of that name exists
 * @param bundleFileMatches the bundle file on disk has exactly the bytes hapcert would write
 * @param bundleFileExists any file exists at the bundle path
 * @param crtListFileHasEntry the crt-list file on disk names the certificate
 * @param runtimeCrtListHasEntry the running crt-list names the certificate
 */
public record ObservedState(Optional<Loaded> loaded, boolean bundleFileExists, boolean bundleFileMatches,
                            boolean crtListFileHasEntry, boolean runtimeCrtListHasEntry) {

    /** A loaded certificate store; {@code serial} is empty for a store created by {@code new ssl cert} and never committed. */
    public record Loaded(Optional<String> serial, Optional<String> sha1Fingerprint, Optional<Instant> notBefore) {
        /**
         * Whether this is the bundle's certificate. The SHA-1 fingerprint decides; HAProxy 2.6 prints none for
         * Ed25519 certificates, and then the serial (unique per issuing CA) has to do.
         */
        public boolean matches(dev.hapcert.cert.Bundle bundle) {
            if (serial.isPresent() && !serial.get().equalsIgnoreCase(bundle.serialHex())) {
                // Another serial is another certificate; a renewal learns that without hashing anything.
                return false;
            }
            return matches(bundle.serialHex(), bundle.sha1Fingerprint());
        }

        /** {@link #matches(dev.hapcert.cert.Bundle)} for a certificate known by its serial and SHA-1 fingerprint. */
        public boolean matches(String serialHex, String sha1) {
            if (serial.isPresent() && !serial.get().equalsIgnoreCase(serialHex)) {
                return false;
            }
            if (sha1Fingerprint.isPresent()) {
                return sha1Fingerprint.get().equalsIgnoreCase(sha1);
            }
            return serial.isPresent() && serial.get().equalsIgnoreCase(serialHex);
        }

        public boolean isEmptyStore() {
            return serial.isEmpty();
        }
    }
}
