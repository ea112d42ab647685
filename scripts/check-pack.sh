#!/usr/bin/env bash
# CI: the package users install. Packs the project (prepack builds it), installs the tarball
# globally into a temp prefix, then from an empty temp folder runs `rampart --version` and
# `rampart serve`, and calls its health endpoint on 127.0.0.1. Leaves nothing behind.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "check-pack: packing"
tarball="$(cd "$root" && npm pack --silent --pack-destination "$tmp" | tail -1)"
echo "check-pack: installing $tarball into a temp prefix"
npm install -g --prefix "$tmp/prefix" --no-audit --no-fund "$tmp/$tarball" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
rampart="$tmp/prefix/bin/rampart"

version="$("$rampart" --version)"
expected="$(node -p "require('$root/package.json').version")"
[ "$version" = "$expected" ] || { echo "check-pack: rampart --version printed '$version', expected '$expected'"; exit 1; }
echo "check-pack: rampart --version -> $version"

mkdir "$tmp/work"
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
(cd "$tmp/work" && exec "$rampart" serve --host 127.0.0.1 --port "$port" --demo-machines 20 --log-level warn) >"$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do
  if node -e "fetch('http://127.0.0.1:$port/healthz',{signal:AbortSignal.timeout(1000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"; then
    [ -f "$tmp/work/data/rampart.db" ] || { echo "check-pack: no database in ./data of the folder it was started from"; exit 1; }
    echo "check-pack: rampart serve from $tmp/work answers /healthz, data in ./data"
    exit 0
  fi
  kill -0 "$server" 2>/dev/null || { echo "check-pack: rampart serve exited:"; cat "$tmp/serve.log"; exit 1; }
  sleep 0.5
done
echo "check-pack: rampart serve did not answer /healthz within 120 s:"; cat "$tmp/serve.log"; exit 1
