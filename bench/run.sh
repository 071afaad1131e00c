#!/usr/bin/env bash
# hapcert benchmarks: every figure beside its baseline, measured in the same run, written as one markdown table to
# bench/results/latest.md (and stdout). See bench/README.md.
#
#   bench/run.sh [--quick | --smoke] [--only single,bulk,zero,memory,scale,options,containers] [--out FILE] [--keep]
#
# --quick uses small numbers (1,000 certificates instead of 10,000, fewer runs and rotations): minutes, not an hour.
# --smoke uses tiny ones, to check the harness itself (its test does); its figures mean nothing.
# Needs the built jar and test classes (./run bench builds them), haproxy, socat and openssl; the bulk section also
# needs GNU time, the single deploy section hyperfine, the zero-downtime one wrk. The containers section runs only when
# named in --only (it needs podman).
# JDK 17 is the java on PATH (or JAVA_HOME); JDK 25 is HAPCERT_BENCH_JDK25 or the first /usr/lib/jvm/*25* found.
# Everything runs in a temporary directory on loopback and is removed at the end (kept with --keep).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

quick=0 smoke=0 keep=0 only=single,bulk,zero,memory,scale,options out=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) quick=1 ;;
        --smoke) smoke=1 ;;
        --out) out=$2; shift ;;
        --keep) keep=1 ;;
        --only) only=$2; shift ;;
        --only=*) only=${1#--only=} ;;
        *) sed -n '5,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
    shift
done

if ((smoke)); then
    hold=20 runs=3 bulk=20 bulk_rounds=1 scale=100 zd_certs=5 zd_deploys=3 zd_reloads=1 zd_rate=20 zd_dwell=0.1 mem_certs=3 mem_rounds=3
elif ((quick)); then
    hold=1000 runs=10 bulk=1000 bulk_rounds=3 scale=5000 zd_certs=100 zd_deploys=50 zd_reloads=5 zd_rate=200 zd_dwell=0.1 mem_certs=20 mem_rounds=50
else
    hold=10000 runs=30 bulk=10000 bulk_rounds=3 scale=50000 zd_certs=1000 zd_deploys=500 zd_reloads=20 zd_rate=300 zd_dwell=0.1 mem_certs=100 mem_rounds=1000
fi

# shellcheck source=bench/lib/common.sh
source "$here/lib/common.sh"
for s in single bulk zero memory scale options containers; do
    # shellcheck disable=SC1090
    source "$here/lib/$s.sh"
done

need() { command -v "$1" >/dev/null || { echo "bench: $1 is missing (./run bench installs it)" >&2; exit 1; }; }
for tool in haproxy socat openssl; do need "$tool"; done
[[ ,$only, == *,bulk,* || ,$only, == *,scale,* || ,$only, == *,options,* ]] && need /usr/bin/time
[[ ,$only, == *,single,* || ,$only, == *,containers,* ]] && need hyperfine
[[ ,$only, == *,containers,* ]] && need podman
[[ ,$only, == *,zero,* ]] && need wrk
[[ -f $root/target/hapcert.jar && -d $root/target/test-classes/dev/hapcert/bench ]] ||
    { echo "bench: build first: mvn -DskipTests package (./run bench does)" >&2; exit 1; }

if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then jdk17=$JAVA_HOME/bin/java; else jdk17=$(readlink -f "$(command -v java)"); fi
jdk25=${HAPCERT_BENCH_JDK25:-}
if [[ -z $jdk25 ]]; then
    for candidate in /usr/lib/jvm/*25*/bin/java; do [[ -x $candidate ]] && { jdk25=$candidate; break; }; done
fi
java_version() { "$1" -version 2>&1 | head -n1 | sed 's/.*version "\([^"]*\)".*/\1/'; }

work=$(mktemp -d /tmp/hapcert-bench.XXXXXX)
started_haproxy=()
wrk_pid="" hs_pid="" mem_pid=""
cleanup() {
    local d
    for d in "${started_haproxy[@]}"; do stop_haproxy "$d"; done
    stop_containers
    for p in $wrk_pid $hs_pid $mem_pid; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if ((keep)); then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

rows=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
[[ ,$only, == *,single,* ]] && bench_single
[[ ,$only, == *,bulk,* ]] && bench_bulk
[[ ,$only, == *,zero,* ]] && bench_zero
[[ ,$only, == *,memory,* ]] && bench_memory
[[ ,$only, == *,scale,* ]] && bench_scale
[[ ,$only, == *,options,* ]] && bench_options
[[ ,$only, == *,containers,* ]] && bench_containers
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

out=${out:-$here/results/latest.md}
mkdir -p "$(dirname "$out")"
mode=$( ((smoke)) && echo ', smoke mode (tiny numbers, figures mean nothing)' || { ((quick)) && echo ', quick mode'; } || true)
{
    echo "### hapcert benchmark, $started$mode"
    echo
    echo "| goal | figure | hapcert | baseline (same run) | ratio | target | verdict |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "- JDK: $(java_version "$jdk17")$([[ -n $jdk25 ]] && echo ", $(java_version "$jdk25")"); launcher flags as in bin/hapcert (serial GC, C1 only with thresholds x3, -Xmx256m, CDS/AOT archive)"
    echo "- HAProxy: $(haproxy -v | head -n1 | awk '{print $3}'); certificates: P-256 leaves with a P-256 intermediate"
    echo "- Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr); load average before/after: $load_before / $load_after"
    echo "- Command: \`./run bench$( ((quick)) && echo ' --quick')$( ((smoke)) && echo ' --smoke')$([[ $only != single,bulk,zero,memory,scale,options ]] && echo " --only $only")\`"
} | tee "$out"
