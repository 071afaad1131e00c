/**
 * Integration tests ({@code *IT}, run by Failsafe after {@code package}): the packaged launcher {@code bin/hapcert}
 * against real HAProxy 2.6 processes, with real certbot and the Pebble ACME test CA where an ACME client is part of
 * the story. Every peer runs in a temp dir on free loopback ports and is stopped by the test that started it.
 */
package dev.hapcert.it;
