# Helpers shared by the benchmark sections (sourced by bench/run.sh). Everything runs on loopback, in $work.

say() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
note() { printf '   %s\n' "$*" >&2; }

# A loopback port nobody listens on (checked by trying to connect).
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 30000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

# Java tools of the benchmark (certificate farm, handshake load) run from the test classpath.
bench_java() { "$jdk17" -cp "$root/target/hapcert.jar:$root/target/test-classes" "$@"; }

# make_certs DIR COUNT PREFIX: DIR/PREFIX-i.pem and DIR/crt-list.txt
make_certs() { bench_java dev.hapcert.bench.CertFarm bundles "$1" "$2" "$3" >&2; }
# make_renewals DIR NAME COUNT: DIR/NAME/k/{fullchain,privkey}.pem
make_renewals() { bench_java dev.hapcert.bench.CertFarm lineages "$1" "$2" "$3" >&2; }

# write_cfg DIR PORT CRT_LIST [SOCKET [DEFAULT_CRT]]: DIR/haproxy.cfg, serving CRT_LIST (after DEFAULT_CRT, if
# given) on PORT, admin socket SOCKET (default DIR/admin.sock). Paths as HAProxy sees them.
write_cfg() {
    local dir=$1 port=$2 list=$3 socket=${4:-$1/admin.sock} default=${5:+ crt $5}
    cat >"$dir/haproxy.cfg" <<CFG
global
    stats socket $socket mode 600 level admin
    stats timeout 2m
    hard-stop-after 60s
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
frontend https
    bind 127.0.0.1:$port ssl$default crt-list $list
    http-request return status 200 content-type text/plain string "ok\n"
CFG
}

# start_haproxy DIR: master-worker, master CLI at DIR/master.sock; waits for the admin socket.
start_haproxy() {
    local dir=$1
    rm -f "$dir/admin.sock"
    haproxy -W -D -S "$dir/master.sock" -p "$dir/haproxy.pid" -f "$dir/haproxy.cfg"
    started_haproxy+=("$dir")
    local i
    for i in $(seq 1200); do
        if [[ -S $dir/admin.sock ]] && echo "show info" | socat -t 5 - "UNIX-CONNECT:$dir/admin.sock" 2>/dev/null | grep -q '^Pid'; then
            return 0
        fi
        sleep 0.1
    done
    echo "bench: HAProxy in $dir did not open its admin socket within 120 s" >&2
    return 1
}

stop_haproxy() {
    local dir=$1 master pids i
    [[ -f $dir/haproxy.pid ]] || return 0
    master=$(head -n1 "$dir/haproxy.pid")
    pids="$master $(pgrep -P "$master" | tr '\n' ' ' || true)"
    kill "$master" 2>/dev/null || return 0
    # Wait until master and workers are gone: a worker freeing thousands of certificates takes CPU from whatever is
    # timed next, and may outlive its master.
    for ((i = 0; i < 200; i++)); do
        # shellcheck disable=SC2086
        kill -0 $pids 2>/dev/null || return 0
        sleep 0.05
    done
}

# RSS in KiB of HAProxy's workers (current and old), the processes that hold certificates.
haproxy_workers_rss() {
    local master
    master=$(head -n1 "$1/haproxy.pid")
    ps -o rss= --ppid "$master" 2>/dev/null | awk '{s += $1} END {print s + 0}'
}

# RSS in KiB of the master and all workers.
haproxy_total_rss() {
    local master
    master=$(head -n1 "$1/haproxy.pid")
    { ps -o rss= -p "$master"; ps -o rss= --ppid "$master"; } 2>/dev/null | awk '{s += $1} END {print s + 0}'
}

api() { socat -t 30 - "UNIX-CONNECT:$1"; }

# served_serial SOCKET NAME: the serial HAProxy reports for a certificate, without leading zeros.
served_serial() {
    printf 'show ssl cert %s\n' "$2" | api "$1" | sed -n 's/^Serial: //p' | sed 's/^0*//'
}

# Median (ms) of a hyperfine CSV export's first data row, and its user+system CPU (ms).
csv_median_ms() { awk -F, 'NR == 2 {printf "%.1f", $4 * 1000}' "$1"; }
csv_cpu_ms() { awk -F, 'NR == 2 {printf "%.1f", ($5 + $6) * 1000}' "$1"; }

# ratio A B: A/B with two decimals, or n/a.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0 || a !~ /^[0-9.]+$/) print "n/a"; else printf "%.2f", a / b }'; }

# verdict PASS_CONDITION_EXIT_STATUS: "pass" or "FAIL"
verdict() { if "$@"; then echo pass; else echo FAIL; fi; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "n/a" && a + 0 <= b + 0) }'; }

# row GOAL FIGURE HAPCERT BASELINE RATIO TARGET VERDICT
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }
