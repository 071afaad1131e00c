package dev.hapcert.deploy;

import dev.hapcert.source.DesiredCertificate;
import java.nio.file.Path;
import java.util.List;

/**
 * The working state of one certificate of a bulk sync while its batch is written and sent: what it needs, what
 * has happened so far, and how to undo it. Mutable on purpose and confined to {@link BulkSession}: the planner
 * fills {@link #pem} and {@link #previousFile} where a bundle file already exists (it read and compared it), the writer
 * thread fills {@link #pem} for the others, all before the batch is handed over to the socket thread, which alone
 * touches it from then on.
 */
final class BulkItem {
    final int index;
    /**
     * The certificate, until its batch is judged: then only a retry needs it, and the rest of a sync of 40,000 would
     * otherwise hold every parsed certificate and key to the end (see {@link #release}).
     */
    DesiredCertificate certificate;
    /** What verification compares with HAProxy's {@code show ssl cert}, kept after {@link #release}. */
    final String serialHex;
    final String sha1Fingerprint;
    /** With {@code --verify-tls}, the names a handshake checks once the batch is verified; else empty. */
    final List<String> tlsNames;
    final String certName;
    final Path bundlePath;
    final PlanStep.Work work;
    final Outcome outcome;
    final String previousSerial;
    final long started;

    /** The bundle as written and sent; dropped once the batch is sent, so at most a few batches are held. */
    byte[] pem;
    /** The file the bundle replaced (an update), to put back if HAProxy refuses; {@code null} if there was none. */
    byte[] previousFile;
    boolean fileWritten;
    /** Set when this certificate is finished, successfully or not; verification follows for successes. */
    CertificateResult result;

    BulkItem(int index, DesiredCertificate certificate, String certName, Path bundlePath, PlanStep.Work work,
             Outcome outcome, String previousSerial, long started, boolean verifyTls) {
        this.index = index;
        this.certificate = certificate;
        this.serialHex = certificate.bundle().serialHex();
        this.sha1Fingerprint = certificate.bundle().sha1Fingerprint();
        this.tlsNames = verifyTls ? certificate.bundle().dnsNames() : List.of();
        this.certName = certName;
        this.bundlePath = bundlePath;
        this.work = work;
        this.outcome = outcome;
        this.previousSerial = previousSerial;
        this.started = started;
    }

    /** Lets the parsed certificate and key go once the batch is judged and nothing will send it again. */
    void release() {
        certificate = null;
        previousFile = null;
    }

    CertificateResult finish(String target, Outcome o, String detail) {
        result = new CertificateResult(target, certName, o, previousSerial, serialHex, detail,
                (System.nanoTime() - started) / 1_000_000);
        return result;
    }

    @Override
    public String toString() {
        return "BulkItem[" + certName + ", " + work.describe() + "]";
    }
}
