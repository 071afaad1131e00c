# Goal 1: $bulk new certificates into a running HAProxy, all verified, against `haproxy -c` parsing the same ones.
# `hapcert sync` is timed when the build has it. Beside it, the Runtime API's own pace: the same commands pipelined
# on one socat connection, no checks, once with the bundles as the ACME client wrote them (what a shell hook sends)
# and once with the bundles hapcert wrote (the floor for `sync`).

# api_stream NAME_DIR CRT_LIST FILE...: new/set/commit/add for each bundle FILE, named NAME_DIR/<file name>, as one
# prompt-mode stream on stdout (blank lines dropped: they would end a payload).
api_stream() {
    local names=$1 list=$2
    shift 2
    echo prompt
    awk -v names="$names" -v list="$list" '
        function done(n) { printf "\n\ncommit ssl cert %s\nadd ssl crt-list %s %s\n", n, list, n }
        FNR == 1 {
            if (NR > 1) done(name)
            base = FILENAME; sub(/.*\//, "", base); name = names "/" base
            printf "new ssl cert %s\nset ssl cert %s <<\n", name, name
            first = 1
        }
        /^[ \t\r]*$/ { next }
        { sub(/\r$/, ""); if (!first) printf "\n"; printf "%s", $0; first = 0 }
        END { if (NR > 0) done(name) }' "$@"
    echo quit
}

# floor DIR STREAM: a fresh HAProxy (DIR, one default certificate, empty crt-list) takes STREAM through one socat
# connection; DIR/floor.result holds the seconds and the successes. Not in a subshell: the exit trap must know
# every HAProxy started.
floor() {
    local dir=$1 stream=$2 t0 t1 ok
    : >"$dir/crt-list.txt"
    start_haproxy "$dir"
    t0=$(date +%s.%N)
    socat -t 120 - "UNIX-CONNECT:$dir/admin.sock" <"$stream" >"$dir/stream.out"
    t1=$(date +%s.%N)
    ok=$(grep -c '^Success!' "$dir/stream.out" || true)
    stop_haproxy "$dir"
    awk -v a="$t0" -v b="$t1" -v ok="$ok" 'BEGIN {printf "%.2f %d\n", b - a, ok}' >"$dir/floor.result"
}

# fresh_haproxy_dir DIR: DIR/haproxy.cfg serving one default certificate and an empty crt-list.
fresh_haproxy_dir() {
    local dir=$1
    mkdir -p "$dir"
    make_certs "$dir/default" 1 default
    : >"$dir/crt-list.txt"
    write_cfg "$dir" "$(free_port)" "$dir/crt-list.txt"
    sed -i "s#ssl crt-list#ssl crt $dir/default/default-0.pem crt-list#" "$dir/haproxy.cfg"
}

bench_bulk() {
    local dir=$work/bulk
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

    # What a shell hook sends: the bundles as the ACME client wrote them (certificates, then the PKCS#8 key).
    fresh_haproxy_dir "$dir/shell"
    api_stream "$dir/shell/certs" "$dir/shell/crt-list.txt" "$dir"/new/bulk-*.pem >"$dir/shell-stream.txt"
    local shell_s ok
    floor "$dir/shell" "$dir/shell-stream.txt"
    read -r shell_s ok <"$dir/shell/floor.result"
    note "Runtime API, bundles as given (one socat stream): $shell_s s, $ok of $((2 * bulk)) commands succeeded"

    # hapcert sync, when this build has it: into a fresh HAProxy, timed with its peak memory.
    if "$root/bin/hapcert" --help 2>/dev/null | grep -qE '^ +sync( |$)'; then
        # The launcher records the class-data archive of its non-hook commands during the first sync (or status...)
        # it runs (bin/hapcert). An untimed sync of a few certificates into a throwaway HAProxy records it, as an
        # operator's first sync would, so that every timed sync starts the way later ones do.
        local cache=$dir/cache
        fresh_haproxy_dir "$dir/warm"
        mkdir -p "$dir/warm/src"
        local few=("$dir"/new/bulk-*.pem)
        cp "${few[@]:0:5}" "$dir/warm/src/"
        start_haproxy "$dir/warm"
        HAPCERT_CACHE_DIR=$cache "$root/bin/hapcert" sync --haproxy-config "$dir/warm/haproxy.cfg" \
            --source "dir:$dir/warm/src" >/dev/null 2>&1 || note "the untimed first sync failed"
        stop_haproxy "$dir/warm"
        note "class-data archive recorded by the untimed sync: $(find "$cache" -name 'hapcert-*-cli.*' 2>/dev/null | wc -l) file(s)"

        fresh_haproxy_dir "$dir/live"
        start_haproxy "$dir/live"
        local cmd=${HAPCERT_BENCH_SYNC:-"sync --haproxy-config $dir/live/haproxy.cfg --source dir:$dir/new"}
        sync
        # shellcheck disable=SC2086
        HAPCERT_CACHE_DIR=$cache /usr/bin/time -f '%e %M' -o "$dir/sync.time" "$root/bin/hapcert" $cmd \
            >"$dir/sync.out" 2>"$dir/sync.err" || true
        local sync_s sync_mb listed
        read -r sync_s sync_mb < <(tail -n1 "$dir/sync.time")
        sync_mb=$((sync_mb / 1024))
        listed=$(printf 'show ssl crt-list %s\n' "$dir/live/crt-list.txt" | api "$dir/live/admin.sock" | grep -c '^/' || true)
        stop_haproxy "$dir/live"

        # The floor for sync: the same commands with the bundles hapcert wrote (key first, traditional key form).
        local written=("$dir"/live/bulk-*.pem)
        if [[ -f ${written[0]} ]]; then
            fresh_haproxy_dir "$dir/floor"
            api_stream "$dir/floor/certs" "$dir/floor/crt-list.txt" "${written[@]}" >"$dir/floor-stream.txt"
            # The sync's 10,000 new files are still being written back: flush them before timing the floor.
            sync
            local floor_s
            floor "$dir/floor" "$dir/floor-stream.txt"
            read -r floor_s ok <"$dir/floor/floor.result"
            note "Runtime API floor, hapcert's bundles (one socat stream): $floor_s s, $ok of $((2 * bulk)) commands succeeded"
            row "1 bulk (floor)" "$bulk new certs in hapcert's bundle form, one pipelined socat stream, s (no checks)" \
                "-" "$floor_s" "$(ratio "$floor_s" "$check_s") of haproxy -c" "-" "info"
        fi
        row "1 bulk (shell)" "the same commands with the bundles as given (what a shell hook sends), s" "-" "$shell_s" \
            "$(ratio "$shell_s" "$check_s") of haproxy -c" "-" "info"
        row "1 bulk" "hapcert sync of $bulk new certs, s ($listed listed after)" "$sync_s" "$check_s (haproxy -c)" \
            "$(ratio "$sync_s" "$check_s")" "≤ 1.15" "$(verdict le "$(ratio "$sync_s" "$check_s")" 1.15)"
        row "4 memory" "hapcert peak RSS during the $bulk sync, MB (-Xmx256m)" "$sync_mb" "$check_mb (haproxy -c)" \
            "$(ratio "$sync_mb" "$check_mb")" "≤ 256 MB" "$(verdict le "$sync_mb" 256)"

        # A restart or reload after the sync parses the bundles hapcert wrote (flushed first, like the farm's). The
        # configuration has the baseline's shape: the crt-list alone on the bind line. (The live one also names the
        # default certificate with `crt`, which HAProxy 2.6 needs while the crt-list is empty; with both on one bind
        # line, haproxy -c takes about 14% longer for the same certificates, the Runtime API about 1%.)
        mkdir -p "$dir/restart"
        write_cfg "$dir/restart" "$(free_port)" "$dir/live/crt-list.txt"
        sync
        /usr/bin/time -f '%e %M' -o "$dir/restart.time" haproxy -c -q -f "$dir/restart/haproxy.cfg" >&2
        local restart_s restart_mb
        read -r restart_s restart_mb < <(tail -n1 "$dir/restart.time")
        row "1 bulk (restart)" "haproxy -c on the $bulk bundles hapcert wrote, s" "$restart_s" "$check_s (bundles as given)" \
            "$(ratio "$restart_s" "$check_s")" "-" "info"

        # The same sync into an HAProxy whose global section has issuers-chain-path: HAProxy completes the chains, so
        # hapcert writes and sends key and leaf only. The issuer files come from `hapcert issuers --source --write`,
        # as before an operator's first bulk deploy (untimed). Baseline as above: haproxy -c on the bundles as given.
        local issuers=$dir/issuers chains_s chains_mb chains_listed issuer_files
        fresh_haproxy_dir "$dir/chains"
        sed -i "s#^global\$#global\n    issuers-chain-path $issuers#" "$dir/chains/haproxy.cfg"
        HAPCERT_CACHE_DIR=$cache "$root/bin/hapcert" issuers --haproxy-config "$dir/chains/haproxy.cfg" \
            --source "dir:$dir/new" --write >"$dir/issuers.out" 2>"$dir/issuers.err" || note "hapcert issuers --write failed"
        issuer_files=$(find "$issuers" -type f 2>/dev/null | wc -l)
        note "issuer files written by hapcert issuers --write: $issuer_files"
        # hapcert relies only on issuer files older than HAProxy's start (HAProxy reads them only then; its uptime
        # counts whole seconds), as an operator's would be.
        sleep 2
        start_haproxy "$dir/chains"
        sync
        HAPCERT_CACHE_DIR=$cache /usr/bin/time -f '%e %M' -o "$dir/chains.time" "$root/bin/hapcert" sync \
            --haproxy-config "$dir/chains/haproxy.cfg" --source "dir:$dir/new" >"$dir/chains.out" 2>"$dir/chains.err" || true
        read -r chains_s chains_mb < <(tail -n1 "$dir/chains.time")
        chains_listed=$(printf 'show ssl crt-list %s\n' "$dir/chains/crt-list.txt" | api "$dir/chains/admin.sock" | grep -c '^/' || true)
        stop_haproxy "$dir/chains"
        row "1 bulk (issuers-chain-path)" "the same sync into an HAProxy with issuers-chain-path (bundles written without their chain), s ($chains_listed listed after)" \
            "$chains_s" "$check_s (haproxy -c)" "$(ratio "$chains_s" "$check_s")" "≤ 1.15" \
            "$(verdict le "$(ratio "$chains_s" "$check_s")" 1.15)"
        # What a restart of that HAProxy parses: the bundles without their chain, and the issuer file.
        mkdir -p "$dir/chains-restart"
        write_cfg "$dir/chains-restart" "$(free_port)" "$dir/chains/crt-list.txt"
        sed -i "s#^global\$#global\n    issuers-chain-path $issuers#" "$dir/chains-restart/haproxy.cfg"
        sync
        /usr/bin/time -f '%e %M' -o "$dir/chains-restart.time" haproxy -c -q -f "$dir/chains-restart/haproxy.cfg" >&2
        local chains_restart_s chains_restart_mb
        read -r chains_restart_s chains_restart_mb < <(tail -n1 "$dir/chains-restart.time")
        row "1 bulk (issuers restart)" "haproxy -c on the $bulk bundles that sync wrote, with issuers-chain-path, s" \
            "$chains_restart_s" "$check_s (bundles as given)" "$(ratio "$chains_restart_s" "$check_s")" "-" "info"
    else
        row "1 bulk (shell)" "$bulk new certs, one pipelined socat stream, s (no checks)" "-" "$shell_s" \
            "$(ratio "$shell_s" "$check_s") of haproxy -c" "-" "info"
        row "1 bulk" "hapcert sync of $bulk new certs, s" "n/a (no sync in this build)" "$check_s (haproxy -c)" "n/a" \
            "≤ 1.15" "n/a"
    fi
    row "1 bulk (baseline)" "haproxy -c parsing $bulk certs: s, peak MB" "-" "$check_s s, $check_mb MB" "-" "-" "info"
}
