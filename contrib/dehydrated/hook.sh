#!/bin/sh
# dehydrated hook: forwards deploy_cert to hapcert, which loads the new certificate into every configured HAProxy
# through the Runtime API (no reload) and persists it to disk. Every other event is ignored, as dehydrated requires.
#
# Install: copy this file somewhere, make it executable, and set in dehydrated's config
#   HOOK=/etc/dehydrated/hapcert-hook.sh
#   export HAPCERT_ARGS="--config /etc/hapcert/hapcert.yml"     # optional, split on blanks
#   export HAPCERT_BIN=/usr/local/bin/hapcert                  # optional, default: hapcert in PATH
# (dehydrated reads its config with bash, so "export" makes the settings reach this hook.)
#
# hapcert recognises dehydrated's deploy_cert arguments itself and names the certificate after its directory
# under certs/ (the first domain of the domains.txt line, or its alias), as "hapcert sync" does.

case "$1" in
  deploy_cert)
    set -f
    # shellcheck disable=SC2086
    exec "${HAPCERT_BIN:-hapcert}" deploy $HAPCERT_ARGS "$@"
    ;;
  *)
    exit 0
    ;;
esac
