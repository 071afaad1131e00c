#!/bin/sh
# OCI runtime wrapper for machines (typically CI sandboxes that are themselves containers) where the
# runtime's setrlimit(RLIMIT_NOFILE) in the container's init is refused with EPERM. It deletes
# process.rlimits from the bundle's config.json (create/run, found through --bundle) and from the
# --process JSON (exec), then hands over to the real runtime. podman-engine.sh installs it only when
# it has seen that refusal; ordinary machines run containers without it.
set -eu
REAL_RUNTIME=${HAPCERT_REAL_OCI_RUNTIME:-/usr/sbin/runc}

strip_rlimits() {
    [ -f "$1" ] || return 0
    /usr/bin/python3 - "$1" <<'PY'
import json, os, sys
path = sys.argv[1]
with open(path) as f:
    doc = json.load(f)
# config.json keeps the process under "process"; an exec --process file is the process itself.
target = doc.get("process", doc) if isinstance(doc.get("process"), dict) else doc
if "rlimits" in target:
    del target["rlimits"]
    tmp = path + ".norl"
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.replace(tmp, path)
PY
}

prev=""
for arg in "$@"; do
    case "$prev" in
        --bundle|-b) strip_rlimits "$arg/config.json" ;;
        --process|-p) strip_rlimits "$arg" ;;
    esac
    case "$arg" in
        --bundle=*) strip_rlimits "${arg#--bundle=}/config.json" ;;
        --process=*) strip_rlimits "${arg#--process=}" ;;
    esac
    prev=$arg
done
exec "$REAL_RUNTIME" "$@"
