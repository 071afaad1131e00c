# Goal 2: one renewed certificate into an HAProxy holding $hold certificates, whole process from start to verified
# exit, hapcert (per JDK) beside the shell baseline (socat: set, commit, show), hyperfine, same HAProxy, same run.

bench_single() {
    local dir=$work/single port
    say "Single deploy: an HAProxy holding $hold certificates"
    mkdir -p "$dir/state"
    make_certs "$dir/certs" "$hold" site
    local per=$((runs + 6)) jdks=("$jdk17") names=("JDK 17")
    [[ -n $jdk25 ]] && jdks+=("$jdk25") && names+=("JDK 25")
    make_renewals "$dir/state/renewals" site-0 $((per * (${#jdks[@]} + 1) + 10))
    port=$(free_port)
    write_cfg "$dir" "$port" "$dir/certs/crt-list.txt"
    local t0=$SECONDS
    start_haproxy "$dir"
    note "HAProxy up with $hold certificates after $((SECONDS - t0)) s"

    local name=$dir/certs/site-0.pem rotate="bash $here/lib/rotate.sh $dir/state site-0"
    local deploy="$root/bin/hapcert deploy --haproxy-config $dir/haproxy.cfg --lineage $dir/state/live --name site-0"
    local i java home csv median cpu socat_median
    hyperfine -N --style basic --warmup 3 --runs "$runs" --prepare "$rotate" \
        --export-csv "$dir/socat.csv" -n "socat baseline" \
        "bash $here/lib/socat-deploy.sh $dir/admin.sock $name $dir/state" >&2
    socat_median=$(csv_median_ms "$dir/socat.csv")
    for i in "${!jdks[@]}"; do
        java=${jdks[$i]}
        home=${java%/bin/java}
        # The launcher records its class-data archive during the first deploy; that run is not timed.
        $rotate
        JAVA_HOME=$home HAPCERT_CACHE_DIR=$dir/cache $deploy >/dev/null
        csv=$dir/hapcert-$i.csv
        JAVA_HOME=$home HAPCERT_CACHE_DIR=$dir/cache hyperfine -N --style basic --warmup 3 --runs "$runs" \
            --prepare "$rotate" --export-csv "$csv" -n "hapcert deploy (${names[$i]})" "$deploy" >&2
        median=$(csv_median_ms "$csv")
        cpu=$(csv_cpu_ms "$csv")
        row "2 single deploy" "renewal into $hold certs, median ms (${names[$i]}; CPU ${cpu} ms)" "$median" \
            "$socat_median (socat set/commit/show)" "$(ratio "$median" "$socat_median")" "≤ 80 ms" \
            "$(verdict le "$median" 80)"
    done
    # The last deploy must really be served.
    local want got
    want=$(sed 's/^0*//' "$dir/state/serial")
    got=$(served_serial "$dir/admin.sock" "$name")
    [[ $want == "$got" ]] || { echo "bench: after the single deploys HAProxy serves $got, expected $want" >&2; return 1; }
    stop_haproxy "$dir"
}
