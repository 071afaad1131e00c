/**
 * Sources: where the certificates that should be served come from (a certbot lineage, explicit files, the ACME
 * clients' hook environments). First stage of the pipeline: Source -> Bundle -> Plan -> Apply -> Verify -> Report.
 */
package dev.hapcert.source;
