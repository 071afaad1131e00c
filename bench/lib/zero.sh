# Goal 3: zero downtime. While clients keep opening new TLS connections (HandshakeLoad, SNI on the rotating name)
# and send requests on kept-alive ones (wrk), $zd_deploys consecutive `hapcert deploy`s of a rotating certificate;
# then the same load with one master-worker reload per deploy ($zd_reloads of them, as each reparses everything).

# load_start DIR PORT: starts wrk and the handshake generator against PORT; load_stop DIR prints their results.
load_start() {
    local dir=$1 port=$2
    rm -f "$dir/stop"
    wrk -t1 -c8 -d600s --latency -s "$here/lib/paced.lua" "https://127.0.0.1:$port/" >"$dir/wrk.out" 2>&1 &
    wrk_pid=$!
    bench_java dev.hapcert.bench.HandshakeLoad 127.0.0.1 "$port" site-0.bench.test 8 "$zd_rate" 600 "$dir/stop" \
        "$dir/seen.txt" >"$dir/handshakes.out" 2>&1 &
    hs_pid=$!
    # Peak memory of all HAProxy processes, sampled every 100 ms.
    ( peak=0; while [[ ! -e $dir/stop ]]; do
          r=$(haproxy_total_rss "$dir"); ((r > peak)) && peak=$r && echo "$peak" >"$dir/peak.rss"; sleep 0.1
      done ) &
    mem_pid=$!
    load_t0=$(date +%s%N)
    sleep 2
}

load_stop() {
    local dir=$1
    load_s=$(awk -v a="$load_t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
    touch "$dir/stop"
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" "$hs_pid" "$mem_pid" 2>/dev/null || true
}

# Parses the load results into: requests failed_requests p50 p99 handshakes failed_handshakes hs_p50 hs_p99
load_results() {
    local dir=$1 requests errors non2xx p50 p99
    requests=$(awk '/requests in/ {print $1}' "$dir/wrk.out")
    errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$dir/wrk.out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$dir/wrk.out")
    p50=$(awk '$1 == "50%" {print $2}' "$dir/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$dir/wrk.out")
    local hs
    hs=$(cat "$dir/handshakes.out")
    echo "${requests:-0} $(( ${errors:-0} + ${non2xx:-0} )) ${p50:-?} ${p99:-?} $(sed -E 's/.*handshakes=([0-9]+) failed=([0-9]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+).*/\1 \2 \3 \4/' <<<"$hs")"
}

bench_zero() {
    local dir=$work/zero port
    say "Zero downtime: $zd_deploys deploys under load, then $zd_reloads reloads under the same load"
    mkdir -p "$dir/state"
    make_certs "$dir/certs" "$zd_certs" site
    make_renewals "$dir/state/renewals" site-0 $((zd_deploys + zd_reloads + 5))
    port=$(free_port)
    write_cfg "$dir" "$port" "$dir/certs/crt-list.txt"
    start_haproxy "$dir"
    local name=$dir/certs/site-0.pem rotate="bash $here/lib/rotate.sh $dir/state site-0" i failed=0
    local deploy="$root/bin/hapcert deploy --haproxy-config $dir/haproxy.cfg --lineage $dir/state/live --name site-0"
    # The archive is recorded by a first deploy before the load starts.
    $rotate && HAPCERT_CACHE_DIR=$dir/cache $deploy >/dev/null

    load_start "$dir" "$port"
    : >"$dir/deployed.txt"
    local t0=$SECONDS
    for ((i = 0; i < zd_deploys; i++)); do
        $rotate
        sed 's/^0*//' "$dir/state/serial" >>"$dir/deployed.txt"
        HAPCERT_CACHE_DIR=$dir/cache $deploy >/dev/null 2>>"$dir/deploy.err" || failed=$((failed + 1))
        # Let clients see each certificate (a deploy takes well under this at hundreds of handshakes a second).
        sleep "$zd_dwell"
    done
    local took=$((SECONDS - t0))
    load_stop "$dir"
    local r missing
    read -r -a r <<<"$(load_results "$dir")"
    missing=$(sed 's/^0*//' "$dir/seen.txt" | sort -u | comm -23 <(sort -u "$dir/deployed.txt") - | wc -l)
    note "hot updates: ${r[*]}; $missing deployed serials never seen; $failed deploys failed; ${took} s"
    row "3 zero downtime" "$zd_deploys hapcert deploys under load: failed handshakes / requests / deploys" \
        "${r[5]} / ${r[1]} / $failed" "see reload row" "-" "0 / 0 / 0" \
        "$(verdict test "${r[5]}" = 0 -a "${r[1]}" = 0 -a "$failed" = 0)"
    local hot_rate
    hot_rate=$(awk -v n="${r[4]}" -v s="$load_s" 'BEGIN {printf "%.0f", n / s}')
    row "3 zero downtime" "new TLS handshakes per second during the deploys (${r[4]} in ${load_s} s)" "$hot_rate" "-" \
        "-" "hundreds" "$(verdict test "$hot_rate" -ge 100)"
    row "3 zero downtime" "new serials seen by clients (handshakes ${r[4]}, requests ${r[0]})" \
        "$((zd_deploys - missing)) of $zd_deploys" "-" "-" "all" "$(verdict test "$missing" = 0)"
    row "3 zero downtime" "latency p50 / p99: requests; handshakes ms (hot updates)" \
        "${r[2]} / ${r[3]}; ${r[6]} / ${r[7]}" "see reload row" "-" "-" "info"
    local hot_peak=$(( $(cat "$dir/peak.rss" 2>/dev/null || echo 0) / 1024 ))

    # The same load, one master-worker reload per deploy: files first, then reload, until the new cert is served.
    load_start "$dir" "$port"
    local waits=() want w0 got
    for ((i = 0; i < zd_reloads; i++)); do
        $rotate
        want=$(sed 's/^0*//' "$dir/state/serial")
        cp "$dir/state/bundle.pem" "$name.tmp" && mv -f "$name.tmp" "$name"
        w0=$(date +%s%N)
        echo reload | socat -t 5 - "UNIX-CONNECT:$dir/master.sock" >/dev/null 2>&1 || true
        for _ in $(seq 600); do
            got=$(served_serial "$dir/admin.sock" "$name" 2>/dev/null || true)
            [[ $got == "$want" ]] && break
            sleep 0.02
        done
        waits+=($((($(date +%s%N) - w0) / 1000000)))
        sleep "$zd_dwell"
    done
    load_stop "$dir"
    read -r -a r2 <<<"$(load_results "$dir")"
    local reload_peak=$(( $(cat "$dir/peak.rss" 2>/dev/null || echo 0) / 1024 ))
    local reload_median
    reload_median=$(printf '%s\n' "${waits[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    note "reloads: ${r2[*]}; median reload until served ${reload_median} ms"
    row "3 zero downtime" "failed handshakes / requests: hot updates vs $zd_reloads reloads" \
        "${r[5]} / ${r[1]}" "${r2[5]} / ${r2[1]}" "-" "0 / 0" "$(verdict test "${r[5]}" = 0 -a "${r[1]}" = 0)"
    row "3 zero downtime" "latency p50 / p99 under reloads: requests; handshakes ms" "-" \
        "${r2[2]} / ${r2[3]}; ${r2[6]} / ${r2[7]}" "-" "-" "info"
    row "3 zero downtime" "HAProxy peak RSS with $zd_certs certs, MB: hot updates vs reloads" "$hot_peak" \
        "$reload_peak" "$(ratio "$hot_peak" "$reload_peak")" "-" "info"
    row "3 zero downtime" "reload until the new cert is served, median ms ($zd_certs certs)" "-" "$reload_median" "-" "-" "info"
    stop_haproxy "$dir"
}
