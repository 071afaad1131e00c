package dev.hapcert.deploy;

import dev.hapcert.cert.Bundle;
import dev.hapcert.source.DesiredCertificate;

/**
 * Decides what deploying one certificate to one HAProxy takes. Pure: observation in, plan out, so every rule
 * here is unit-tested without a running HAProxy.
 */
public final class Planner {
    /**
     * Every kind of step, loaded with the planner rather than when first made. The launcher's class-data archive is
     * recorded by the first deploy, usually of a new certificate, and serves the renewals after it: a kind missing
     * from it would be read from the jar, whose 16,000-entry directory the hook otherwise never opens (7 ms of CPU).
     */
    @SuppressWarnings("unused")
    private static final Class<?>[] STEP_KINDS = PlanStep.class.getPermittedSubclasses();

    private Planner() {
    }

    public static PlanStep plan(DesiredCertificate cert, String certName, ObservedState observed, boolean force) {
        Bundle bundle = cert.bundle();
        boolean storeExists = observed.loaded().isPresent();
        boolean loadedMatches = observed.loaded().map(l -> l.matches(bundle)).orElse(false);
        String loadedSerial = observed.loaded().flatMap(ObservedState.Loaded::serial).orElse(null);

        if (!force && !loadedMatches && observed.loaded().isPresent()) {
            var loadedNotBefore = observed.loaded().get().notBefore();
            if (loadedNotBefore.isPresent() && bundle.notBefore().isBefore(loadedNotBefore.get())) {
                return new PlanStep.Refused(cert, certName, "HAProxy serves a newer certificate under this name (serial "
                        + loadedSerial + ", valid from " + loadedNotBefore.get() + ") than the one given (serial "
                        + bundle.serialHex() + ", valid from " + bundle.notBefore() + "); use --force to replace it anyway");
            }
        }

        PlanStep.Work work = new PlanStep.Work(
                !observed.bundleFileMatches(),
                !storeExists,
                !loadedMatches,
                !observed.runtimeCrtListHasEntry(),
                !observed.crtListFileHasEntry());
        if (work.isEmpty()) {
            return new PlanStep.Unchanged(cert, certName);
        }
        boolean servedBefore = storeExists && !observed.loaded().get().isEmptyStore();
        return servedBefore
                ? new PlanStep.Update(cert, certName, loadedSerial, work)
                : new PlanStep.Add(cert, certName, work);
    }
}
