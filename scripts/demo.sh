#!/usr/bin/env bash
# The hapcert demo: a private sandbox on loopback (HAProxy 2.6 in master-worker mode, the Pebble ACME test CA),
# certbot issuing a certificate with `hapcert deploy` as its deploy hook, then a renewal while a client keeps
# opening new TLS connections. Everything lives in a temp dir and is removed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
hapcert="$root/bin/hapcert"
name=app.demo.test

work=$(mktemp -d /tmp/hapcert-demo.XXXXXX)
pids=()
cleanup() {
    [[ -f $work/load.pid ]] && kill "$(cat "$work/load.pid")" 2>/dev/null || true
    [[ -f $work/haproxy.pid ]] && kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A loopback port nobody listens on (checked by trying to connect).
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 30000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

served_serial() {
    openssl s_client -connect "127.0.0.1:$https_port" -servername "$name" </dev/null 2>/dev/null |
        openssl x509 -noout -serial | cut -d= -f2
}

https_port=$(free_port); acme_port=$(free_port); mgmt_port=$(free_port)

say "Sandbox in $work"
mkdir -p "$work/certs" "$work/pebble" "$work/certbot"
# Pebble's own HTTPS endpoint needs a certificate; certbot trusts it through REQUESTS_CA_BUNDLE.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/pebble/key.pem" -out "$work/pebble/cert.pem" 2>/dev/null
cat >"$work/pebble/pebble.json" <<JSON
{"pebble":{"listenAddress":"127.0.0.1:$acme_port","managementListenAddress":"127.0.0.1:$mgmt_port",
 "certificate":"$work/pebble/cert.pem","privateKey":"$work/pebble/key.pem","httpPort":$(free_port),
 "tlsPort":$(free_port),"ocspResponderURL":"","externalAccountBindingRequired":false}}
JSON
PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
    pebble -config "$work/pebble/pebble.json" >"$work/pebble/pebble.log" 2>&1 &
pids+=($!)

# HAProxy needs one certificate to start; the site's certificates arrive later through the crt-list.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=default.invalid \
    -keyout "$work/certs/default.key" -out "$work/certs/default.pem" 2>/dev/null
cat "$work/certs/default.key" >>"$work/certs/default.pem" && rm "$work/certs/default.key"
: >"$work/crt-list.txt"
cat >"$work/haproxy.cfg" <<CFG
global
    stats socket $work/admin.sock mode 600 level admin
    crt-base $work/certs
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend https
    bind 127.0.0.1:$https_port ssl crt $work/certs/default.pem crt-list $work/crt-list.txt
    http-request return status 200 content-type text/plain string "hello from haproxy\n"
CFG
haproxy -W -D -S "$work/master.sock" -p "$work/haproxy.pid" -f "$work/haproxy.cfg"
for _ in $(seq 50); do [[ -S $work/admin.sock ]] && break; sleep 0.1; done
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$acme_port") 2>/dev/null && break; sleep 0.1; done
echo "HAProxy $(haproxy -v | head -n1 | awk '{print $3}') on https://127.0.0.1:$https_port, Pebble ACME on :$acme_port"

hook="$hapcert deploy --haproxy-config $work/haproxy.cfg --verify-tls 127.0.0.1:$https_port"
certbot_args=(--non-interactive --config-dir "$work/certbot/config" --work-dir "$work/certbot/work"
    --logs-dir "$work/certbot/logs")
export REQUESTS_CA_BUNDLE=$work/pebble/cert.pem

say "certbot certonly -d $name --deploy-hook \"hapcert deploy ...\""
certbot certonly "${certbot_args[@]}" --agree-tos -m ops@example.org \
    --server "https://127.0.0.1:$acme_port/dir" --standalone --http-01-port "$(free_port)" \
    --http-01-address 127.0.0.1 -d "$name" --deploy-hook "$hook" 2>&1 | grep -E "hapcert|Successfully|Certificate is saved" || true
first=$(served_serial)
echo "HAProxy now serves $name with serial $first (no reload happened)"
echo "crt-list on disk:"; sed 's/^/    /' "$work/crt-list.txt"

say "Renewal while a client opens new TLS connections without pause"
(
    ok=0; failed=0
    trap 'echo "$ok $failed" >"$work/load.result"; exit 0' TERM
    while :; do
        if curl -sfk --max-time 5 --resolve "$name:$https_port:127.0.0.1" "https://$name:$https_port/" >/dev/null; then
            ok=$((ok + 1)); else failed=$((failed + 1)); fi
    done
) &
echo $! >"$work/load.pid"
sleep 1
certbot renew "${certbot_args[@]}" --force-renewal --no-random-sleep-on-renew --http-01-port "$(free_port)" 2>&1 |
    grep -E "hapcert|renewed|Congratulations" || true
sleep 1
kill -TERM "$(cat "$work/load.pid")"; rm -f "$work/load.pid"
for _ in $(seq 50); do [[ -s $work/load.result ]] && break; sleep 0.1; done
read -r ok failed <"$work/load.result"
second=$(served_serial)
echo "serial before renewal: $first"
echo "serial after renewal:  $second"
echo "requests during renewal: $ok succeeded, $failed failed"

say "Running the same deploy again changes nothing"
RENEWED_LINEAGE="$work/certbot/config/live/$name" RENEWED_DOMAINS="$name" $hook

if [[ -n $first && $first != "$second" && $failed -eq 0 && $ok -gt 0 ]]; then
    say "Demo passed: new serial in service, zero failed requests, no reload"
else
    say "Demo FAILED"; exit 1
fi
