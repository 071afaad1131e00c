#!/usr/bin/env bash
# Baseline: the usual shell hot-update hook, socket work only. Sends one renewed bundle with socat:
# set ssl cert (payload, blank lines stripped), commit ssl cert, then show ssl cert to check the served serial.
# No validation, no file written, no crt-list handling: the least a shell hook can do and still be checked.
# With --exec, HAProxy runs in that container and each command is an exec of socat in it, as a hook does with
# `docker exec -i CONTAINER socat ...` (PODMAN_RUNTIME, optional, is passed to podman as --runtime).
# usage: socat-deploy.sh [--exec CONTAINER] SOCKET CERT_NAME STATE   (STATE/bundle.pem, STATE/serial from rotate.sh)
set -euo pipefail
container=""
if [[ $1 == --exec ]]; then
    container=$2
    shift 2
fi
sock=$1 name=$2 state=$3
serial=$(<"$state/serial")
if [[ -n $container ]]; then
    api() { podman ${PODMAN_RUNTIME:+--runtime "$PODMAN_RUNTIME"} exec -i "$container" socat -t 10 - "UNIX-CONNECT:$sock"; }
else
    api() { socat -t 10 - "UNIX-CONNECT:$sock"; }
fi
reply=$(printf 'set ssl cert %s <<\n%s\n\n' "$name" "$(grep -v '^$' "$state/bundle.pem")" | api)
[[ $reply == *"Transaction "*" for certificate $name!"* ]] || { echo "set failed: $reply" | head -c 200 >&2; exit 1; }
reply=$(printf 'commit ssl cert %s\n' "$name" | api)
[[ $reply == *"Success!"* ]] || { echo "commit failed" >&2; exit 1; }
reply=$(printf 'show ssl cert %s\n' "$name" | api)
[[ $reply == *"Serial: $serial"* ]] || { echo "serial $serial not served" >&2; exit 1; }
