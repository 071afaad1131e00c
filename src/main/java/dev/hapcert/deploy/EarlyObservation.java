package dev.hapcert.deploy;

import dev.hapcert.haproxy.SslCertDetails;
import java.util.Objects;
import java.util.Optional;

/**
 * What the hook's one target reported about one certificate before the bundle was validated, read under the
 * target's certificate lock by {@link PreparedDeploy}: the same answers {@link TargetSession} would get by asking
 * after validation, since nobody else changes certificates while the lock is held. Only taken when HAProxy had no
 * certificate transaction open; with one, the usual path runs (it may abort or wait, and then observes afresh).
 *
 * @param certName the certificate's name in HAProxy ({@code <cert dir>/<name>.pem})
 * @param loaded what {@code show ssl cert <certName>} reported, empty when there is no such store
 * @param inRuntimeCrtList the running crt-list has an entry for it
 * @param inCrtListFile the crt-list file has a line for it
 * @param certDirMayHoldTemps the certificate directory has a hidden {@code .tmp} file (or could not be listed), so
 *     it may hold temp files an interrupted run left and the usual clean-up must look; when false there is nothing
 *     to remove and the deploy skips listing the directory again
 */
record EarlyObservation(String certName, Optional<SslCertDetails> loaded, boolean inRuntimeCrtList,
                        boolean inCrtListFile, boolean certDirMayHoldTemps) {
    EarlyObservation {
        Objects.requireNonNull(certName, "certName");
        Objects.requireNonNull(loaded, "loaded");
    }
}
