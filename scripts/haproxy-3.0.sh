#!/usr/bin/env bash
# Usage: scripts/haproxy-3.0.sh DIR
#
# Puts HAProxy 3.0 (the LTS branch most operators run) beside Debian 12's 2.6, for running the test suite against it:
# downloads Debian 13's haproxy package and the libraries it links (OpenSSL 3.5, glibc 2.41...) from deb.debian.org,
# unpacks them under DIR/root without installing anything, and writes DIR/haproxy, a copy of the binary that loads
# those libraries through their own dynamic loader (patchelf), so that a master-worker reload, which executes the
# binary again, works too, and DIR/bin/haproxy, a link to it, for putting it first in PATH (the benchmarks run the
# `haproxy` they find there). Prints the binary's path. Needs curl, xz-utils, patchelf and dpkg-deb.
set -euo pipefail

dir=${1:?usage: scripts/haproxy-3.0.sh DIR}
# The Debian mirror apt uses here (DEBIAN_MIRROR overrides it), and apt's HTTP proxy if it has one.
apt_mirror() {
    { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{for (i = 2; i <= NF; i++) print $i}'
      grep -hs '^deb ' /etc/apt/sources.list | awk '{print ($2 ~ /^\[/) ? $3 : $2}'; } | grep -m1 '/debian/\?$' || true
}
mirror=${DEBIAN_MIRROR:-$(apt_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}
proxy=$(apt-config dump 2>/dev/null | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p' | head -n1)
curl_opts=(-fsS --retry 3)
[[ -n $proxy ]] && curl_opts+=(--proxy "$proxy")
suite=trixie
mkdir -p "$dir/debs" "$dir/root"
dir=$(cd "$dir" && pwd)

if [[ -x $dir/haproxy && -L $dir/bin/haproxy ]] && "$dir/haproxy" -v >/dev/null 2>&1; then
    echo "$dir/haproxy"
    exit 0
fi

index=$dir/Packages
curl "${curl_opts[@]}" "$mirror/dists/$suite/main/binary-amd64/Packages.xz" | xz -dc >"$index"

# The files of haproxy and of everything it depends on, found in the index (first alternative of each dependency;
# packages that only matter to an installed system are left out: nothing here is installed, only unpacked).
files=$(awk -v want=haproxy '
    BEGIN { RS = ""; FS = "\n"; skip["adduser"]; skip["lsb-base"]; skip["init-system-helpers"]; skip["debconf"]
            skip["perl-base"]; skip["dpkg"]; skip["libc-bin"] }
    {
        pkg = ""; file = ""; deps = ""
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^Package: /) pkg = substr($i, 10)
            else if ($i ~ /^Filename: /) file = substr($i, 11)
            else if ($i ~ /^(Pre-)?Depends: /) deps = deps "," substr($i, index($i, ":") + 2)
            else if ($i ~ /^Provides: /) provides = substr($i, 11)
        }
        if (!(pkg in fileof)) { fileof[pkg] = file; depsof[pkg] = deps }
        n = split(provides, p, ","); for (k = 1; k <= n; k++) { sub(/^ +/, "", p[k]); sub(/ .*/, "", p[k])
            if (p[k] != "" && !(p[k] in fileof)) { fileof[p[k]] = file; depsof[p[k]] = deps } }
        provides = ""
    }
    END {
        todo[want]; 
        while (length(todo) > 0) {
            for (name in todo) break
            delete todo[name]
            if (name in done || name in skip) continue
            done[name]
            if (!(name in fileof)) { print "missing " name > "/dev/stderr"; exit 1 }
            print fileof[name]
            n = split(depsof[name], d, ",")
            for (k = 1; k <= n; k++) {
                dep = d[k]; sub(/\|.*/, "", dep); gsub(/^ +| +$/, "", dep); sub(/ .*/, "", dep); sub(/:any$/, "", dep)
                if (dep != "" && !(dep in done)) todo[dep]
            }
        }
    }' "$index" | sort -u)

for f in $files; do
    deb=$dir/debs/${f##*/}
    [[ -s $deb ]] || curl "${curl_opts[@]}" -o "$deb" "$mirror/$f"
    dpkg-deb -x "$deb" "$dir/root"
done

loader=$(find "$dir/root" -name 'ld-linux-x86-64.so.2' -path '*lib64*' | head -n1)
libs=$dir/root/usr/lib/x86_64-linux-gnu
cp "$dir/root/usr/sbin/haproxy" "$dir/haproxy.tmp"
# --force-rpath: DT_RPATH (unlike RUNPATH) also applies to the libraries' own dependencies.
patchelf --set-interpreter "$loader" --force-rpath --set-rpath "$libs" "$dir/haproxy.tmp"
mv "$dir/haproxy.tmp" "$dir/haproxy"
mkdir -p "$dir/bin"
ln -sfn ../haproxy "$dir/bin/haproxy"
"$dir/haproxy" -v | head -n1 >&2
echo "$dir/haproxy"
