# Goal 4: HAProxy's memory under hot updates. $mem_certs certificates rotated $mem_rounds times (set + commit, the
# commands hapcert sends, pipelined per round on one connection); the worker's RSS after the last round against its
# RSS after the first.

bench_memory() {
    local dir=$work/memory port
    say "Memory: $mem_rounds rotations of $mem_certs certificates"
    mkdir -p "$dir"
    make_certs "$dir/a" "$mem_certs" mem
    make_certs "$dir/b" "$mem_certs" mem
    port=$(free_port)
    write_cfg "$dir" "$port" "$dir/a/crt-list.txt"
    start_haproxy "$dir"
    local set f
    for set in a b; do
        {
            echo prompt
            for f in "$dir"/$set/mem-*.pem; do
                printf 'set ssl cert %s <<\n' "$dir/a/${f##*/}"
                grep -v '^$' "$f"
                printf '\ncommit ssl cert %s\n' "$dir/a/${f##*/}"
            done
            echo quit
        } >"$dir/round-$set.txt"
    done
    local round first last ok
    for ((round = 1; round <= mem_rounds; round++)); do
        # Odd rounds bring set b, even rounds set a back: every round replaces every certificate.
        set=$([[ $((round % 2)) == 1 ]] && echo b || echo a)
        ok=$(socat -t 60 - "UNIX-CONNECT:$dir/admin.sock" <"$dir/round-$set.txt" | grep -c '^Success!' || true)
        [[ $ok == "$mem_certs" ]] || { echo "bench: round $round committed $ok of $mem_certs" >&2; return 1; }
        [[ $round == 1 ]] && first=$(haproxy_workers_rss "$dir")
    done
    last=$(haproxy_workers_rss "$dir")
    local growth
    growth=$(awk -v a="$last" -v b="$first" 'BEGIN {printf "%.1f", (a / b - 1) * 100}')
    note "worker RSS after round 1: $((first / 1024)) MB, after round $mem_rounds: $((last / 1024)) MB ($growth%)"
    row "4 memory" "HAProxy RSS after $mem_rounds rotations of $mem_certs certs, MB" "$((last / 1024))" \
        "$((first / 1024)) (after round 1)" "$(ratio "$last" "$first")" "≤ 1.05" "$(verdict le "$(ratio "$last" "$first")" 1.05)"
    stop_haproxy "$dir"
}
