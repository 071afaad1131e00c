# The options of a sync that do more than goal 1's, at the bulk size, beside a plain sync in the same run:
# --verify-tls (a TLS handshake per name after HAProxy's own listing) and --prune (removing certificates hapcert
# deployed before). Each into its own fresh HAProxy. Uses fresh_haproxy_dir, record_cli_archive and sync_into
# (bulk.sh).

bench_options() {
    local dir=$work/options
    say "Sync options: --verify-tls and --prune with $bulk certificates"
    mkdir -p "$dir"
    make_certs "$dir/new" "$bulk" opt
    # The half that --prune keeps: a store from which the other half was deleted.
    local all=("$dir"/new/opt-*.pem) keep=$((bulk / 2))
    mkdir -p "$dir/half"
    cp "${all[@]:0:keep}" "$dir/half/"
    sync
    local cache=$dir/cache
    record_cli_archive "$cache" "$dir"

    local plain_s plain_listed tls_s tls_listed verified prune_s prune_listed port kb
    fresh_haproxy_dir "$dir/plain"
    start_haproxy "$dir/plain"
    read -r plain_s kb plain_listed < <(sync_into "$dir/plain" "$dir/new")
    stop_haproxy "$dir/plain"
    note "plain sync: $plain_s s, $plain_listed listed"

    fresh_haproxy_dir "$dir/tls"
    port=$(sed -n 's/.*bind 127.0.0.1:\([0-9]*\) .*/\1/p' "$dir/tls/haproxy.cfg")
    start_haproxy "$dir/tls"
    read -r tls_s kb tls_listed < <(sync_into "$dir/tls" "$dir/new" --verify-tls "127.0.0.1:$port")
    verified=$(grep -c 'verified by TLS' "$dir/tls/sync.out" || true)
    note "sync --verify-tls: $tls_s s, $tls_listed listed, $verified verified by TLS; $(grep '^hapcert: sync:' "$dir/tls/sync.err" || true)"
    # The same HAProxy, the store down to its first half: --prune removes the rest.
    read -r prune_s kb prune_listed < <(sync_into "$dir/tls" "$dir/half" --prune)
    note "sync --prune: $prune_s s, $prune_listed listed after; $(grep '^hapcert: sync:' "$dir/tls/sync.err" || true)"
    stop_haproxy "$dir/tls"

    row "1 bulk (--verify-tls)" "hapcert sync --verify-tls of $bulk new certs (a handshake per name, 4 at once), s (verified by TLS: $verified; listed after: $tls_listed)" \
        "$tls_s" "$plain_s (plain sync, listed after: $plain_listed)" "$(ratio "$tls_s" "$plain_s")" "-" "info"
    row "1 bulk (--prune)" "hapcert sync --prune removing $((bulk - keep)) of those $bulk certs, s (listed after: $prune_listed)" \
        "$prune_s" "$plain_s (plain sync of $bulk)" "$(ratio "$prune_s" "$plain_s")" "-" "info"
}
