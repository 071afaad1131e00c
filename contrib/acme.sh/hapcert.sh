#!/usr/bin/env sh
# shellcheck disable=SC2034

# acme.sh deploy hook: hands the certificate to hapcert, which loads it into every configured HAProxy through
# the Runtime API (no reload) and persists it to disk.
#
# Install: copy this file into acme.sh's deploy/ directory (~/.acme.sh/deploy/hapcert.sh), then
#   acme.sh --deploy -d example.com --deploy-hook hapcert          (add --ecc for the ECDSA certificate)
# acme.sh remembers the hook and runs it again after every renewal.
#
# Settings, read from the environment on the first run and saved by acme.sh for renewals:
#   HAPCERT_BIN   the hapcert command (default: hapcert, looked up in PATH)
#   HAPCERT_ARGS  extra arguments for "hapcert deploy", split on blanks (no quoting), for example
#                 "--config /etc/hapcert/hapcert.yml --target edge"
#
# The certificate is named after its acme.sh directory, as "hapcert sync" names it when reading the acme.sh
# home: example.com for RSA, example.com_ecc for ECDSA, wildcard_.example.com for *.example.com.
# Returns non-zero when hapcert fails, so acme.sh reports the deployment as failed.

#domain keyfile certfile cafile fullchain
hapcert_deploy() {
  _cdomain="$1"
  _ckey="$2"
  _ccert="$3"
  _cca="$4"
  _cfullchain="$5"

  _debug _cdomain "$_cdomain"
  _debug _cfullchain "$_cfullchain"

  _getdeployconf HAPCERT_BIN
  _getdeployconf HAPCERT_ARGS
  _debug2 HAPCERT_BIN "$HAPCERT_BIN"
  _debug2 HAPCERT_ARGS "$HAPCERT_ARGS"

  if [ -z "$_cfullchain" ] || [ -z "$_ckey" ]; then
    _err "hapcert: acme.sh gave no full chain or key file for $_cdomain"
    return 1
  fi

  _hapcert_name="$(basename "$(dirname "$_cfullchain")")"
  case "$_hapcert_name" in
    '*.'*) _hapcert_name="wildcard_.${_hapcert_name#??}" ;;
  esac

  _info "hapcert: deploying $_cdomain as $_hapcert_name"
  # A subshell with globbing off: HAPCERT_ARGS is split on blanks, but a "*" in it stays a "*".
  if ! (
    set -f
    # shellcheck disable=SC2086
    exec "${HAPCERT_BIN:-hapcert}" deploy --fullchain "$_cfullchain" --key "$_ckey" \
      --name "$_hapcert_name" --domains "$_cdomain" $HAPCERT_ARGS
  ); then
    _err "hapcert deploy failed for $_cdomain; see hapcert's message above"
    return 1
  fi

  # Saved only once a deployment worked, so a mistyped setting is not kept for every renewal.
  if [ -n "$HAPCERT_BIN" ]; then
    _savedeployconf HAPCERT_BIN "$HAPCERT_BIN"
  fi
  if [ -n "$HAPCERT_ARGS" ]; then
    _savedeployconf HAPCERT_ARGS "$HAPCERT_ARGS"
  fi
  return 0
}
