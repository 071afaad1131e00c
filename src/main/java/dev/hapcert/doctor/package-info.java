/**
 * {@code hapcert doctor}: checks how hapcert, HAProxy and the ACME client are wired together and explains how to fix
 * each problem. Every check is a small class producing {@link dev.hapcert.doctor.Finding}s; nothing here changes
 * HAProxy or its files (the writability check creates and removes one temporary file).
 */
package dev.hapcert.doctor;
