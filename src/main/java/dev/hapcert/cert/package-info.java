/**
 * Certificate bundles: reading PEM as ACME clients and operators actually write it, turning it into an immutable
 * {@link dev.hapcert.cert.Bundle} (leaf, chain, private key), checking that the bundle is usable before anything is
 * deployed ({@link dev.hapcert.cert.BundleValidator}), and rendering the exact bytes HAProxy loads.
 *
 * <p>Entry points: {@link dev.hapcert.cert.BundleReader} (a certbot lineage, separate files, or one combined PEM),
 * {@link dev.hapcert.cert.PemReader} and {@link dev.hapcert.cert.KeyReader} for single files and blocks, and
 * {@link dev.hapcert.cert.HaproxyCertFormat} for the way HAProxy prints certificate facts in {@code show ssl cert}.
 *
 * <p>Rules kept throughout: every failure is an {@link dev.hapcert.error.InvalidInputException} whose message names
 * the input (usually a file path) and says what to do; no message, {@code toString} or exception cause ever carries
 * file contents or private key material. BouncyCastle is only touched for legacy PKCS#1/SEC1 keys, so the common
 * PKCS#8 path (what certbot writes) never loads it.
 */
package dev.hapcert.cert;
