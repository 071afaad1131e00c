package dev.hapcert.doctor;

import dev.hapcert.error.HapcertException;
import java.util.List;

/** One check of one target. Checks that need HAProxy return nothing when it was not reached: that is reported once. */
interface TargetCheck {
    /** The id findings carry, e.g. {@code runtime-api}. */
    String id();

    List<Finding> run(TargetProbe probe) throws HapcertException;
}
