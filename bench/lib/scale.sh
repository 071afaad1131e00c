# Beyond goal 1's 10,000: a sync of $scale new certificates (five times the bulk section's) into a running HAProxy,
# against `haproxy -c` parsing the same ones, with hapcert's peak RSS under the launcher's default heap (-Xmx256m).
# One round: each step of it takes the better part of a minute. Uses timed_sync and record_cli_archive (bulk.sh).

bench_scale() {
    local dir=$work/scale
    say "Scale: $scale new certificates"
    mkdir -p "$dir"
    make_certs "$dir/new" "$scale" scale
    sync
    write_cfg "$dir" "$(free_port)" "$dir/new/crt-list.txt"
    local check_s check_kb
    read -r check_s check_kb < <(timed_check "$dir/haproxy.cfg" "$dir/check.time")
    note "haproxy -c: $check_s s, $((check_kb / 1024)) MB"

    local cache=$dir/cache
    record_cli_archive "$cache" "$dir"
    fresh_haproxy_dir "$dir/live"
    timed_sync "$dir/live"
    local s kb listed
    read -r s kb listed <"$dir/live/sync.result"
    note "sync: $s s, peak RSS $((kb / 1024)) MB, $listed listed after; $(grep '^hapcert: sync:' "$dir/live/sync.err" || true)"
    row "1 bulk (scale)" "hapcert sync of $scale new certs, s (listed after: $listed)" "$s" "$check_s (haproxy -c)" \
        "$(ratio "$s" "$check_s")" "-" "info"
    row "4 memory (scale)" "hapcert peak RSS during the $scale sync, MB (-Xmx256m)" "$((kb / 1024))" \
        "$((check_kb / 1024)) (haproxy -c)" "$(ratio "$kb" "$check_kb")" "-" "info"
}
