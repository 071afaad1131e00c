#!/usr/bin/env bash
# Baseline for containers: the usual shell hot-update hook for an HAProxy in a container, socket work only, each
# command an exec of socat in the container (as `docker exec -i CONTAINER socat ...` in a hook): set ssl cert
# (payload, blank lines stripped), commit ssl cert, show ssl cert checking the served serial.
# usage: exec-deploy.sh CONTAINER SOCKET_IN_CONTAINER CERT_NAME STATE   (PODMAN_RUNTIME optional)
set -euo pipefail
ctr=$1 sock=$2 name=$3 state=$4
serial=$(<"$state/serial")
api() { podman ${PODMAN_RUNTIME:+--runtime "$PODMAN_RUNTIME"} exec -i "$ctr" socat -t 10 - "UNIX-CONNECT:$sock"; }
reply=$(printf 'set ssl cert %s <<\n%s\n\n' "$name" "$(grep -v '^$' "$state/bundle.pem")" | api)
[[ $reply == *"Transaction "*" for certificate $name!"* ]] || { echo "set failed: $reply" | head -c 200 >&2; exit 1; }
reply=$(printf 'commit ssl cert %s\n' "$name" | api)
[[ $reply == *"Success!"* ]] || { echo "commit failed" >&2; exit 1; }
reply=$(printf 'show ssl cert %s\n' "$name" | api)
[[ $reply == *"Serial: $serial"* ]] || { echo "serial $serial not served" >&2; exit 1; }
