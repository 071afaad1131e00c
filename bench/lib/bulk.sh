# Goal 1: $bulk new certificates into a running HAProxy, all verified, against `haproxy -c` parsing the same ones.
# `hapcert sync` is timed when the build has it; the Runtime API's own pace (every command pipelined on one socat
# connection, no checks) is measured beside it as the floor any client can reach.

bench_bulk() {
    local dir=$work/bulk port
    say "Bulk: $bulk new certificates"
    mkdir -p "$dir"
    make_certs "$dir/new" "$bulk" bulk
    # The farm just wrote $bulk files: flush them now, so that no timed step pays for their write-back.
    sync
    # The baseline: HAProxy parsing every certificate, as a reload or restart does.
    write_cfg "$dir" "$(free_port)" "$dir/new/crt-list.txt"
    /usr/bin/time -f '%e %M' -o "$dir/check.time" haproxy -c -q -f "$dir/haproxy.cfg" >&2
    local check_s check_mb
    read -r check_s check_mb < <(tail -n1 "$dir/check.time")
    check_mb=$((check_mb / 1024))
    note "haproxy -c: $check_s s, $check_mb MB"

    # A running HAProxy with one certificate and an empty crt-list, ready to take the new ones.
    mkdir -p "$dir/live"
    make_certs "$dir/live/default" 1 default
    : >"$dir/live/crt-list.txt"
    port=$(free_port)
    write_cfg "$dir/live" "$port" "$dir/live/crt-list.txt"
    sed -i "s#ssl crt-list#ssl crt $dir/live/default/default-0.pem crt-list#" "$dir/live/haproxy.cfg"

    # Floor: new/set/commit/add for every certificate in one pipelined stream (what sync batches; no checks).
    start_haproxy "$dir/live"
    local stream=$dir/stream.txt f n
    {
        echo prompt
        for f in "$dir"/new/bulk-*.pem; do
            n=$dir/live/certs/${f##*/}
            printf 'new ssl cert %s\nset ssl cert %s <<\n' "$n" "$n"
            grep -v '^$' "$f"
            printf '\ncommit ssl cert %s\nadd ssl crt-list %s %s\n' "$n" "$dir/live/crt-list.txt" "$n"
        done
        echo quit
    } >"$stream"
    local t0 t1 ok
    t0=$(date +%s.%N)
    socat -t 120 - "UNIX-CONNECT:$dir/live/admin.sock" <"$stream" >"$dir/stream.out"
    t1=$(date +%s.%N)
    ok=$(grep -c '^Success!' "$dir/stream.out" || true)
    local floor_s
    floor_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
    note "Runtime API floor (one socat stream): $floor_s s, $ok of $((2 * bulk)) commands succeeded"
    row "1 bulk (floor)" "$bulk new certs, one pipelined socat stream, s (no checks)" "-" "$floor_s" \
        "$(ratio "$floor_s" "$check_s") of haproxy -c" "-" "info"
    stop_haproxy "$dir/live"
    sleep 0.5

    # hapcert sync, when this build has it: into a fresh HAProxy, timed with its peak memory.
    if "$root/bin/hapcert" --help 2>/dev/null | grep -qE '^ +sync( |$)'; then
        rm -f "$dir/live/crt-list.txt" && : >"$dir/live/crt-list.txt"
        start_haproxy "$dir/live"
        local cmd=${HAPCERT_BENCH_SYNC:-"sync --haproxy-config $dir/live/haproxy.cfg --source dir:$dir/new"}
        sync
        # shellcheck disable=SC2086
        /usr/bin/time -f '%e %M' -o "$dir/sync.time" "$root/bin/hapcert" $cmd >"$dir/sync.out" 2>"$dir/sync.err" || true
        local sync_s sync_mb listed
        read -r sync_s sync_mb < <(tail -n1 "$dir/sync.time")
        sync_mb=$((sync_mb / 1024))
        listed=$(printf 'show ssl crt-list %s\n' "$dir/live/crt-list.txt" | api "$dir/live/admin.sock" | grep -c '^/' || true)
        row "1 bulk" "hapcert sync of $bulk new certs, s ($listed listed after)" "$sync_s" "$check_s (haproxy -c)" \
            "$(ratio "$sync_s" "$check_s")" "≤ 1.15" "$(verdict le "$(ratio "$sync_s" "$check_s")" 1.15)"
        row "4 memory" "hapcert peak RSS during the $bulk sync, MB (-Xmx256m)" "$sync_mb" "$check_mb (haproxy -c)" \
            "$(ratio "$sync_mb" "$check_mb")" "≤ 256 MB" "$(verdict le "$sync_mb" 256)"
        stop_haproxy "$dir/live"
    else
        row "1 bulk" "hapcert sync of $bulk new certs, s" "n/a (no sync in this build)" "$check_s (haproxy -c)" "n/a" \
            "≤ 1.15" "n/a"
    fi
    row "1 bulk (baseline)" "haproxy -c parsing $bulk certs: s, peak MB" "-" "$check_s s, $check_mb MB" "-" "-" "info"
}
