/**
 * Wiring ACME clients to hapcert: {@code hapcert install certbot} writes a deploy hook into certbot's
 * {@code renewal-hooks/deploy/}, {@code uninstall} removes only what hapcert wrote, and {@link
 * dev.hapcert.install.CertbotVersion} knows which certbot runs such hooks on first issuance.
 */
package dev.hapcert.install;
