/**
 * Where hapcert finds the HAProxy instances it deploys to: {@link dev.hapcert.config.ConfigLoader} reads
 * hapcert.yml, {@link dev.hapcert.config.HaproxyCfgDiscovery} derives a single target from haproxy.cfg when there
 * is none. Both produce immutable, validated records ({@link dev.hapcert.config.HapcertConfig},
 * {@link dev.hapcert.config.TargetConfig} and its parts); every mistake is a
 * {@link dev.hapcert.error.ConfigException} whose message names the file, the place in it and the key.
 * docs/configuration.md is the operator's reference for the same rules.
 */
package dev.hapcert.config;
