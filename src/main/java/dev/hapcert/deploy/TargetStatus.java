package dev.hapcert.deploy;

import java.util.List;

/**
 * What {@code hapcert status} found on one target.
 *
 * @param error why the target could not be inspected, or null
 * @param openTransactions certificate transactions left open (they block every later change)
 * @param unused certificates loaded but used by no crt-list or bind line
 */
public record TargetStatus(String target, String error, List<String> openTransactions, List<String> unused,
                           List<CertificateStatus> certificates) {
    public TargetStatus {
        openTransactions = List.copyOf(openTransactions);
        unused = List.copyOf(unused);
        certificates = List.copyOf(certificates);
    }

    public boolean needsAttention() {
        return error != null || !openTransactions.isEmpty() || certificates.stream().anyMatch(CertificateStatus::needsAttention);
    }
}
