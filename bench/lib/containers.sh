# Containers (opt-in: --only containers; needs podman): one renewed certificate into HAProxy in containers of
# Podman's Docker-compatible engine, whole `hapcert deploy` process, beside the shell hook that does the same through
# `podman exec` of socat (bench/lib/socat-deploy.sh --exec). Three cases: one container reached through an exec (its stats socket inside the
# container), three such containers in one run, one container whose stats socket is bind-mounted to the host.

containers_started=()
engine_dir=""

bench_containers() {
    local dir=$work/containers
    say "Containers: renewals into HAProxy in Podman containers"
    mkdir -p "$dir/state"
    engine_dir=$dir/engine
    local engine rt image
    engine=$("$root/scripts/podman-engine.sh" start "$engine_dir")
    rt=$(cat "$engine_dir/runtime")
    image=$(PODMAN_RUNTIME=$rt HAPROXY_BINARY=$(command -v haproxy) "$root/scripts/build-haproxy-image.sh")
    note "engine $engine, image $image"
    local per=$((runs + 6))
    make_renewals "$dir/state/renewals" site-0 $((per * 6 + 10))
    make_certs "$dir/default" 1 default

    local i name yml_one=$dir/one.yml yml_three=$dir/three.yml yml_bind=$dir/bind.yml
    echo "targets:" >"$yml_three"
    for name in c1 c2 c3 b1; do
        start_container "$dir/$name" "$name" "$rt" "$image"
        local socket=/tmp/admin.sock
        [[ $name == b1 ]] && socket=/run/haproxy/admin.sock
        local target="  - name: $name
    crt-list: /etc/haproxy/crt-list.txt
    cert-dir: /etc/haproxy/certs
    docker: { container: ${containers_started[-1]}, socket-in-container: $socket, engine-host: \"$engine\" }"
        case $name in
            c1) printf 'targets:\n%s\n' "$target" >"$yml_one"; printf '%s\n' "$target" >>"$yml_three" ;;
            c2 | c3) printf '%s\n' "$target" >>"$yml_three" ;;
            b1) printf 'targets:\n%s\n' "$target" >"$yml_bind" ;;
        esac
    done

    local rotate="bash $here/lib/rotate.sh $dir/state site-0" cert=/etc/haproxy/certs/site-0.pem
    local deploy="$root/bin/hapcert deploy --lineage $dir/state/live --name site-0 --config"
    local shell="env PODMAN_RUNTIME=$rt bash $here/lib/socat-deploy.sh --exec"
    # The first deploy adds the certificate everywhere and records the launcher's archive; not timed.
    $rotate
    HAPCERT_CACHE_DIR=$dir/cache $deploy "$yml_three" >/dev/null 2>&1
    HAPCERT_CACHE_DIR=$dir/cache $deploy "$yml_bind" >/dev/null 2>&1
    local c1=${containers_started[0]} c2=${containers_started[1]} c3=${containers_started[2]} b1=${containers_started[3]}
    container_row "one container through an exec" "$yml_one" \
        "$shell $c1 /tmp/admin.sock $cert $dir/state" "shell hook: an exec of socat per command"
    container_row "three containers through an exec in one run" "$yml_three" \
        "bash -c '$shell $c1 /tmp/admin.sock $cert $dir/state && $shell $c2 /tmp/admin.sock $cert $dir/state && $shell $c3 /tmp/admin.sock $cert $dir/state'" \
        "the shell hook for each in turn"
    container_row "one container with its stats socket bind-mounted" "$yml_bind" \
        "bash $here/lib/socat-deploy.sh $dir/b1/run/admin.sock $cert $dir/state" "shell hook: socat on the socket"
    stop_containers
}

# container_row WHAT CONFIG BASELINE_COMMAND BASELINE_NAME: hyperfine of both, one row.
container_row() {
    local what=$1 config=$2 baseline=$3 baseline_name=$4 dir=$work/containers
    local rotate="bash $here/lib/rotate.sh $dir/state site-0" csv=$dir/row.csv base_csv=$dir/base.csv
    HAPCERT_CACHE_DIR=$dir/cache hyperfine -N --style basic --warmup 2 --runs "$runs" --prepare "$rotate" \
        --export-csv "$csv" -n "hapcert deploy: $what" \
        "$root/bin/hapcert deploy --lineage $dir/state/live --name site-0 --config $config" >&2
    hyperfine --style basic --warmup 2 --runs "$runs" --prepare "$rotate" --export-csv "$base_csv" \
        -n "$baseline_name ($what)" "$baseline" >&2
    local median base cpu
    median=$(csv_median_ms "$csv")
    base=$(csv_median_ms "$base_csv")
    cpu=$(csv_cpu_ms "$csv")
    row "containers" "renewal, $what, median ms (JDK 17; CPU $cpu ms)" "$median" "$base ($baseline_name)" \
        "$(ratio "$median" "$base")" "-" "info"
}

# start_container DIR NAME RUNTIME IMAGE: HAProxy in a container (host network), /etc/haproxy and /run/haproxy
# bind-mounted from DIR; NAME b1 puts the stats socket on the /run/haproxy mount, the others inside the container.
start_container() {
    local d=$1 name=$2 rt=$3 image=$4 port socket=/tmp/admin.sock
    [[ $name == b1 ]] && socket=/run/haproxy/admin.sock
    mkdir -p "$d/etc/certs" "$d/run"
    cp "$work/containers/default/default-0.pem" "$d/etc/default.pem"
    : >"$d/etc/crt-list.txt"
    port=$(free_port)
    write_cfg "$d/etc" "$port" /etc/haproxy/crt-list.txt "$socket" /etc/haproxy/default.pem
    local id
    id=$(podman ${rt:+--runtime "$rt"} run -d --network host --label dev.hapcert.bench=1 \
        -v "$d/etc:/etc/haproxy" -v "$d/run:/run/haproxy" "$image" /usr/sbin/haproxy -f /etc/haproxy/haproxy.cfg)
    containers_started+=("$id")
    local i
    for ((i = 0; i < 100; i++)); do
        podman ${rt:+--runtime "$rt"} exec "$id" socat -t 2 /dev/null "UNIX-CONNECT:$socket" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "bench: HAProxy in container $name did not open its stats socket" >&2
    return 1
}

stop_containers() {
    [[ -n $engine_dir ]] || return 0
    local rt id
    rt=$(cat "$engine_dir/runtime" 2>/dev/null || true)
    for id in "${containers_started[@]}"; do
        podman ${rt:+--runtime "$rt"} rm -f -t 0 "$id" >/dev/null 2>&1 || true
    done
    containers_started=()
    "$root/scripts/podman-engine.sh" stop "$engine_dir" >/dev/null 2>&1 || true
    engine_dir=""
}
