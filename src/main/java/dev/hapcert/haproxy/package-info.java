/**
 * The only code that speaks HAProxy's Runtime API: addresses ({@link dev.hapcert.haproxy.RuntimeApiAddress}),
 * transports ({@link dev.hapcert.haproxy.RuntimeApiTransport}: the one class that touches sockets,
 * {@link dev.hapcert.haproxy.RuntimeApiConnection}, and {@link dev.hapcert.haproxy.BatchTransport} for channels that
 * carry one whole conversation at a time, such as an exec in a container), commands that own their payload
 * framing ({@link dev.hapcert.haproxy.Command}), a client with one typed, checked method per command
 * ({@link dev.hapcert.haproxy.RuntimeApiClient}), pure parsers of HAProxy 2.6 replies, and the lock that serializes
 * certificate work per HAProxy ({@link dev.hapcert.haproxy.CertificateLock}).
 *
 * <p>Replies may echo payloads, private keys included: nothing in this package puts a reply into a message without
 * scrubbing it, and no {@code toString} shows a payload.
 */
package dev.hapcert.haproxy;
