#!/usr/bin/env bash
# Points STATE/live at the next pre-made renewal (STATE/renewals/NAME/<k>) and writes the matching combined bundle
# and serial for the shell baseline. Run before every timed deploy (hyperfine --prepare), so that every deploy is
# a real renewal: a newer certificate than the one HAProxy serves.
# usage: rotate.sh STATE NAME
set -euo pipefail
umask 077
state=$(cd "$1" && pwd) name=$2
k=$(cat "$state/next" 2>/dev/null || echo 0)
dir=$state/renewals/$name/$k
[[ -d $dir ]] || { echo "rotate.sh: no renewal #$k left under $state/renewals/$name; make more" >&2; exit 1; }
echo $((k + 1)) >"$state/next"
ln -sfn "$dir" "$state/live-tmp" && mv -Tf "$state/live-tmp" "$state/live"
cat "$dir/fullchain.pem" "$dir/privkey.pem" >"$state/bundle.pem"
openssl x509 -in "$dir/fullchain.pem" -noout -serial | cut -d= -f2 >"$state/serial"
