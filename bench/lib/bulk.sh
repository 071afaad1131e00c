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

# with_issuers_chain_path CFG DIR: CFG's global section names DIR as issuers-chain-path.
with_issuers_chain_path() { sed -i "s#^global\$#global\n    issuers-chain-path $2#" "$1"; }

# median V...: the middle value (the lower middle for an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# timed_check CFG TIMEFILE: haproxy -c on CFG under GNU time; prints "seconds peak-KiB".
timed_check() {
    sync
    /usr/bin/time -f '%e %M' -o "$2" haproxy -c -q -f "$1" >&2
    tail -n1 "$2"
}

# sync_into DIR SRC [ARGS...]: hapcert sync of dir:SRC (with ARGS) into the running HAProxy of DIR, under GNU time,
# with the launcher's archive cache $cache; prints "seconds peak-KiB listed-after".
sync_into() {
    local d=$1 src=$2 s kb
    shift 2
    sync
    HAPCERT_CACHE_DIR=$cache /usr/bin/time -f '%e %M' -o "$d/sync.time" "$root/bin/hapcert" sync \
        --haproxy-config "$d/haproxy.cfg" --source "dir:$src" "$@" >"$d/sync.out" 2>"$d/sync.err" || true
    read -r s kb < <(tail -n1 "$d/sync.time")
    echo "$s $kb $(printf 'show ssl crt-list %s\n' "$d/crt-list.txt" | api "$d/admin.sock" | grep -c '^/' || true)"
}

# timed_sync DIR: hapcert sync of the farm's new certificates into a fresh HAProxy in DIR (haproxy.cfg written
# by the caller); DIR/sync.result holds "seconds peak-KiB listed-after". Not in a subshell: the exit trap must know
# every HAProxy started.
timed_sync() {
    local d=$1
    start_haproxy "$d"
    sync_into "$d" "$dir/new" >"$d/sync.result"
    stop_haproxy "$d"
}

# record_cli_archive CACHE DIR: the launcher records the class-data archive of its non-hook commands during the
# first sync (or status...) it runs (bin/hapcert). An untimed sync of 5 of DIR/new's certificates into a throwaway
# HAProxy records it in CACHE, as an operator's first sync would, so that every timed sync starts the way later ones do.
record_cli_archive() {
    local cache=$1 dir=$2
    fresh_haproxy_dir "$dir/warm"
    mkdir -p "$dir/warm/src"
    local few=("$dir"/new/*.pem)
    cp "${few[@]:0:5}" "$dir/warm/src/"
    start_haproxy "$dir/warm"
    HAPCERT_CACHE_DIR=$cache "$root/bin/hapcert" sync --haproxy-config "$dir/warm/haproxy.cfg" \
        --source "dir:$dir/warm/src" >/dev/null 2>&1 || note "the untimed first sync failed"
    stop_haproxy "$dir/warm"
    note "class-data archive recorded by the untimed sync: $(find "$cache" -name 'hapcert-*-cli.*' 2>/dev/null | wc -l) file(s)"
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
    local check_s check_mb
    read -r check_s check_mb < <(timed_check "$dir/haproxy.cfg" "$dir/check.time")
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
        local cache=$dir/cache
        record_cli_archive "$cache" "$dir"

        # The issuer file for the syncs into an HAProxy with issuers-chain-path, from `hapcert issuers --source
        # --write`, as before an operator's first bulk deploy (untimed); older than every HAProxy started below.
        local issuers=$dir/issuers issuer_files
        fresh_haproxy_dir "$dir/chains-setup"
        with_issuers_chain_path "$dir/chains-setup/haproxy.cfg" "$issuers"
        HAPCERT_CACHE_DIR=$cache "$root/bin/hapcert" issuers --haproxy-config "$dir/chains-setup/haproxy.cfg" \
            --source "dir:$dir/new" --write >"$dir/issuers.out" 2>"$dir/issuers.err" || note "hapcert issuers --write failed"
        issuer_files=$(find "$issuers" -type f 2>/dev/null | wc -l)
        note "issuer files written by hapcert issuers --write: $issuer_files"
        # hapcert relies only on issuer files older than HAProxy's start (HAProxy reads them only then; its uptime
        # counts whole seconds), as an operator's would be.
        sleep 2

        # Rounds of the baseline and both syncs, interleaved, so that the medians see the same machine: one
        # timing of each varies by about 5% from run to run. Each sync goes into a fresh HAProxy and a new
        # directory; nothing is deleted before the end (ext4 is slow to create files right after many deletions).
        local r checks=() syncs=() sync_kbs=() listeds=() chains=() chains_listeds=() s kb listed
        for ((r = 1; r <= bulk_rounds; r++)); do
            if ((r > 1)); then
                read -r s kb < <(timed_check "$dir/haproxy.cfg" "$dir/check$r.time")
                checks+=("$s")
            else
                checks+=("$check_s")
            fi
            fresh_haproxy_dir "$dir/live$r"
            timed_sync "$dir/live$r"
            read -r s kb listed <"$dir/live$r/sync.result"
            syncs+=("$s") sync_kbs+=("$kb") listeds+=("$listed")
            fresh_haproxy_dir "$dir/chains$r"
            with_issuers_chain_path "$dir/chains$r/haproxy.cfg" "$issuers"
            timed_sync "$dir/chains$r"
            read -r s kb listed <"$dir/chains$r/sync.result"
            chains+=("$s") chains_listeds+=("$listed")
            note "round $r: haproxy -c ${checks[-1]} s, sync ${syncs[-1]} s (${listeds[-1]} listed), with issuers-chain-path $s s ($listed listed)"
        done
        local check_med sync_med sync_mb chains_med
        check_med=$(median "${checks[@]}")
        sync_med=$(median "${syncs[@]}")
        chains_med=$(median "${chains[@]}")
        sync_mb=$(($(printf '%s\n' "${sync_kbs[@]}" | sort -n | tail -n1) / 1024))
        local of="median of $bulk_rounds" runs_check runs_sync runs_chains
        runs_check=$(IFS=/; echo "${checks[*]}")
        runs_sync=$(IFS=/; echo "${syncs[*]}")
        runs_chains=$(IFS=/; echo "${chains[*]}")

        # The floor for sync: the same commands with the bundles hapcert wrote (key first, traditional key form).
        local written=("$dir"/live1/bulk-*.pem)
        if [[ -f ${written[0]} ]]; then
            fresh_haproxy_dir "$dir/floor"
            api_stream "$dir/floor/certs" "$dir/floor/crt-list.txt" "${written[@]}" >"$dir/floor-stream.txt"
            sync
            local floor_s
            floor "$dir/floor" "$dir/floor-stream.txt"
            read -r floor_s ok <"$dir/floor/floor.result"
            note "Runtime API floor, hapcert's bundles (one socat stream): $floor_s s, $ok of $((2 * bulk)) commands succeeded"
            row "1 bulk (floor)" "$bulk new certs in hapcert's bundle form, one pipelined socat stream, s (no checks)" \
                "-" "$floor_s" "$(ratio "$floor_s" "$check_med") of haproxy -c" "-" "info"
        fi
        row "1 bulk (shell)" "the same commands with the bundles as given (what a shell hook sends), s" "-" "$shell_s" \
            "$(ratio "$shell_s" "$check_med") of haproxy -c" "-" "info"
        row "1 bulk" "hapcert sync of $bulk new certs, s, $of ($runs_sync; listed after: $(IFS=/; echo "${listeds[*]}"))" \
            "$sync_med" "$check_med (haproxy -c, $of: $runs_check)" "$(ratio "$sync_med" "$check_med")" "≤ 1.15" \
            "$(verdict le "$(ratio "$sync_med" "$check_med")" 1.15)"
        row "4 memory" "hapcert peak RSS during the $bulk sync, MB, highest of $bulk_rounds (-Xmx256m)" "$sync_mb" \
            "$check_mb (haproxy -c)" "$(ratio "$sync_mb" "$check_mb")" "≤ 256 MB" "$(verdict le "$sync_mb" 256)"

        # A restart or reload after the sync parses the bundles hapcert wrote (flushed first, like the farm's). The
        # configuration has the baseline's shape: the crt-list alone on the bind line. (The live one also names the
        # default certificate with `crt`, which HAProxy 2.6 needs while the crt-list is empty; with both on one bind
        # line, haproxy -c takes about 14% longer for the same certificates, the Runtime API about 1%.)
        mkdir -p "$dir/restart"
        write_cfg "$dir/restart" "$(free_port)" "$dir/live1/crt-list.txt"
        local restart_s restart_kb
        read -r restart_s restart_kb < <(timed_check "$dir/restart/haproxy.cfg" "$dir/restart.time")
        row "1 bulk (restart)" "haproxy -c on the $bulk bundles hapcert wrote, s" "$restart_s" "$check_med (bundles as given)" \
            "$(ratio "$restart_s" "$check_med")" "-" "info"

        # The sync into an HAProxy whose global section has issuers-chain-path: HAProxy completes the chains, so
        # hapcert writes and sends key and leaf only. Baseline as above: haproxy -c on the bundles as given.
        row "1 bulk (issuers-chain-path)" "the same sync into an HAProxy with issuers-chain-path (bundles written without their chain), s, $of ($runs_chains; listed after: $(IFS=/; echo "${chains_listeds[*]}"))" \
            "$chains_med" "$check_med (haproxy -c)" "$(ratio "$chains_med" "$check_med")" "≤ 1.15" \
            "$(verdict le "$(ratio "$chains_med" "$check_med")" 1.15)"
        # What a restart of that HAProxy parses: the bundles without their chain, and the issuer file.
        mkdir -p "$dir/chains-restart"
        write_cfg "$dir/chains-restart" "$(free_port)" "$dir/chains1/crt-list.txt"
        with_issuers_chain_path "$dir/chains-restart/haproxy.cfg" "$issuers"
        local chains_restart_s chains_restart_kb
        read -r chains_restart_s chains_restart_kb < <(timed_check "$dir/chains-restart/haproxy.cfg" "$dir/chains-restart.time")
        row "1 bulk (issuers restart)" "haproxy -c on the $bulk bundles that sync wrote, with issuers-chain-path, s" \
            "$chains_restart_s" "$check_med (bundles as given)" "$(ratio "$chains_restart_s" "$check_med")" "-" "info"
        check_s=$check_med
    else
        row "1 bulk (shell)" "$bulk new certs, one pipelined socat stream, s (no checks)" "-" "$shell_s" \
            "$(ratio "$shell_s" "$check_s") of haproxy -c" "-" "info"
        row "1 bulk" "hapcert sync of $bulk new certs, s" "n/a (no sync in this build)" "$check_s (haproxy -c)" "n/a" \
            "≤ 1.15" "n/a"
    fi
    row "1 bulk (baseline)" "haproxy -c parsing $bulk certs: s (median), peak MB (first run)" "-" "$check_s s, $check_mb MB" "-" "-" "info"
}
