#!/bin/bash
# Builds a minimal HAProxy test image from this host's own binaries (no registry needed) with
# `podman import`, and prints its name.
#   build-haproxy-image.sh                  localhost/hapcert-haproxy-test:1          haproxy, socat, sh
#   build-haproxy-image.sh --without-socat  localhost/hapcert-haproxy-test-nosocat:1  haproxy, sh
#   build-haproxy-image.sh --without-shell  localhost/hapcert-haproxy-test-noshell:1  haproxy, socat
# Idempotent: an image whose content label matches the host binaries is kept as it is.
# PODMAN_RUNTIME (optional) is passed as `podman --runtime`. HAPROXY_BINARY (optional) is the haproxy to put in the
# image as /usr/sbin/haproxy instead of the host's (the suite's HAProxy 3.0 pass, scripts/haproxy-3.0.sh).
set -euo pipefail

name=localhost/hapcert-haproxy-test:1
with_socat=1
with_shell=1
case "${1:-}" in
    "") ;;
    --without-socat) with_socat=0; name=localhost/hapcert-haproxy-test-nosocat:1 ;;
    --without-shell) with_shell=0; name=localhost/hapcert-haproxy-test-noshell:1 ;;
    *) echo "usage: $0 [--without-socat|--without-shell]" >&2; exit 2 ;;
esac
podman=(podman)
[ -n "${PODMAN_RUNTIME:-}" ] && podman=(podman --runtime "$PODMAN_RUNTIME")

haproxy_binary=${HAPROXY_BINARY:-/usr/sbin/haproxy}
bins=("$haproxy_binary")
[ $with_socat = 1 ] && bins+=(/usr/bin/socat)
[ $with_shell = 1 ] && bins+=(/bin/sh)
for b in "${bins[@]}"; do
    [ -x "$b" ] || { echo "missing $b (apt-get install -y haproxy socat)" >&2; exit 3; }
done

# The label ties the image to the exact host binaries, so an upgraded haproxy rebuilds it.
content=$(sha256sum "${bins[@]}" | sha256sum | cut -c1-16)
if "${podman[@]}" image exists "$name" &&
   [ "$("${podman[@]}" image inspect --format '{{index .Labels "hapcert.content"}}' "$name")" = "$content" ]; then
    echo "$name"; exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{bin,usr/sbin,usr/bin,etc/haproxy,run,tmp,var/run,proc,sys,dev}
chmod 1777 "$root/tmp"
for b in "${bins[@]}"; do
    if [ "$b" = "$haproxy_binary" ]; then cp "$b" "$root/usr/sbin/haproxy"; else cp "$b" "$root$b"; fi
    ldd "$b" | grep -o '/[^ ]*' | while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
done
# A root entry lets tools that look up the current user (HAProxy's `user`, sh prompts) find one.
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
tar -C "$root" -cf "$work/rootfs.tar" .
"${podman[@]}" import --quiet --change "LABEL hapcert.content=$content" "$work/rootfs.tar" "$name" >/dev/null
echo "$name"
