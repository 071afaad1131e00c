/**
 * HAProxy's files on disk, changed so that a crash at any point leaves them valid: atomic replacement with
 * permissions that are never wider than configured ({@link dev.hapcert.store.AtomicFileWriter}), a crt-list
 * model that edits one line and keeps every other byte ({@link dev.hapcert.store.CrtListFile}), and the
 * test-only {@link dev.hapcert.store.CrashPoint} switch used to prove it.
 */
package dev.hapcert.store;
