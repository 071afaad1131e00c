/** Test helpers that start and stop real peers (HAProxy, Pebble, certbot) and mint real certificates. */
package dev.hapcert.testkit;
