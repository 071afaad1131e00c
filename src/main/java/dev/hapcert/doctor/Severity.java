package dev.hapcert.doctor;

/** How bad a finding is: {@link #FAIL} means deploys will not work until it is fixed. */
public enum Severity {
    OK,
    /** Works, but something is risky or will not work in some case (e.g. new certificates on one bind line). */
    WARN,
    FAIL
}
