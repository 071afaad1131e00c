/**
 * End-to-end tests of the packaged launcher ({@code bin/hapcert}) with real ACME clients, a real Pebble CA and real
 * HAProxy processes; run by Failsafe after {@code package}.
 */
package dev.hapcert.it;
