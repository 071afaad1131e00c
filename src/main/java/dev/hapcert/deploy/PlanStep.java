package dev.hapcert.deploy;

import dev.hapcert.source.DesiredCertificate;

/**
 * What deploying one certificate to one HAProxy takes, decided before anything is touched. {@code --dry-run}
 * prints these and stops.
 */
public sealed interface PlanStep permits PlanStep.Add, PlanStep.Update, PlanStep.Unchanged, PlanStep.Refused {

    DesiredCertificate certificate();

    /** The certificate's name in HAProxy: its absolute path as HAProxy sees it. */
    String certName();

    /** HAProxy does not have this certificate loaded yet. */
    record Add(DesiredCertificate certificate, String certName, Work work) implements PlanStep {
    }

    /** HAProxy has a different certificate under this name, or disk or crt-list lag behind what is loaded. */
    record Update(DesiredCertificate certificate, String certName, String loadedSerial, Work work) implements PlanStep {
    }

    /** Loaded, on disk and listed exactly as wanted: nothing is touched. */
    record Unchanged(DesiredCertificate certificate, String certName) implements PlanStep {
    }

    /** Deploying would make things worse (an older certificate over a newer one); only {@code --force} overrides. */
    record Refused(DesiredCertificate certificate, String certName, String reason) implements PlanStep {
    }

    /**
     * The individual changes a step needs. Each is decided from observation, so a rerun after a crash does only
     * what is still missing.
     *
     * @param writeBundle the bundle file on disk differs from the new bundle
     * @param createInRuntime HAProxy has no certificate store of this name ({@code new ssl cert})
     * @param loadInRuntime HAProxy serves other bytes under this name ({@code set} + {@code commit ssl cert})
     * @param addRuntimeCrtListEntry the running crt-list lacks the certificate ({@code add ssl crt-list})
     * @param writeCrtListFile the crt-list file on disk lacks the certificate's line
     */
    record Work(boolean writeBundle, boolean createInRuntime, boolean loadInRuntime, boolean addRuntimeCrtListEntry,
                boolean writeCrtListFile) {
        public boolean isEmpty() {
            return !writeBundle && !createInRuntime && !loadInRuntime && !addRuntimeCrtListEntry && !writeCrtListFile;
        }

        public String describe() {
            StringBuilder b = new StringBuilder();
            if (writeBundle) b.append("write bundle file, ");
            if (createInRuntime) b.append("new ssl cert, ");
            if (loadInRuntime) b.append("set+commit ssl cert, ");
            if (addRuntimeCrtListEntry) b.append("add ssl crt-list, ");
            if (writeCrtListFile) b.append("write crt-list line, ");
            return b.isEmpty() ? "nothing" : b.substring(0, b.length() - 2);
        }
    }
}
