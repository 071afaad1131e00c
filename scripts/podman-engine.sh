#!/bin/bash
# Serves Podman's Docker-compatible Engine API on unix://<dir>/engine.sock for tests.
#   podman-engine.sh start <dir>   start (or find running) and print the engine address
#   podman-engine.sh stop <dir>    stop the engine started for <dir>
# Files in <dir>: engine.sock, engine.pid, engine.log, runtime (the OCI runtime path to pass as
# `podman --runtime`, empty when the default works). Some sandboxes refuse the runtime's
# setrlimit(RLIMIT_NOFILE); only when a probe container shows that refusal is the rlimit-stripping
# wrapper beside this script used.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
wrapper="$here/oci-runtime-norlimit.sh"

usage() { echo "usage: $0 start|stop <dir>" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
sock="$dir/engine.sock"

ping_engine() {
    [ -S "$sock" ] || return 1
    if command -v curl >/dev/null; then
        curl -sf --max-time 2 --unix-socket "$sock" http://d/_ping >/dev/null 2>&1
    else
        timeout 5 podman --remote --url "unix://$sock" version >/dev/null 2>&1
    fi
}

# A throwaway root filesystem holding only /bin/true, so the probe needs no image.
make_probe_rootfs() {
    local root="$dir/probe-rootfs"
    rm -rf "$root"
    mkdir -p "$root/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
    cp /bin/true "$root/bin/true"
    ldd /bin/true | grep -o '/[^ ]*' | while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    echo "$root"
}

# Prints the runtime to use: empty for podman's default, the wrapper when setrlimit is refused.
detect_runtime() {
    local root err
    root=$(make_probe_rootfs)
    err="$dir/probe.err"
    if podman run --rm --network none --rootfs "$root" /bin/true 2>"$err"; then
        echo ""
    elif grep -qi 'rlimit' "$err"; then
        if podman --runtime "$wrapper" run --rm --network none --rootfs "$root" /bin/true 2>"$err"; then
            echo "$wrapper"
        else
            echo "podman cannot run a container even without rlimits:" >&2; cat "$err" >&2; return 1
        fi
    else
        echo "podman cannot run a container:" >&2; cat "$err" >&2; return 1
    fi
}

start() {
    command -v podman >/dev/null || { echo "podman is not installed (apt-get install -y podman runc)" >&2; exit 3; }
    if ping_engine; then echo "unix://$sock"; return; fi
    rm -f "$sock"
    local runtime
    runtime=$(detect_runtime)
    echo "$runtime" > "$dir/runtime"
    local args=()
    [ -n "$runtime" ] && args=(--runtime "$runtime")
    # Podman keeps a monitor process per finished exec for exit_command_delay (300 s by default) before cleaning up;
    # the tests read each exec's exit code at once, so a short delay lets those monitors end with the test run.
    printf '[engine]\nexit_command_delay = 5\n' > "$dir/containers.conf"
    # setsid: the engine outlives this script and gets its own process group for a clean stop.
    CONTAINERS_CONF="$dir/containers.conf" setsid podman "${args[@]}" system service --time=0 "unix://$sock" \
        </dev/null >"$dir/engine.log" 2>&1 &
    echo $! > "$dir/engine.pid"
    for _ in $(seq 1 100); do
        if ping_engine; then echo "unix://$sock"; return; fi
        kill -0 "$(cat "$dir/engine.pid")" 2>/dev/null || break
        sleep 0.1
    done
    echo "podman engine did not come up on $sock:" >&2; cat "$dir/engine.log" >&2; exit 1
}

stop() {
    [ -f "$dir/engine.pid" ] || return 0
    local pid
    pid=$(cat "$dir/engine.pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/engine.pid" "$sock"
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
