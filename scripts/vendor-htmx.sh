#!/usr/bin/env bash
# Put an SRI-checked copy of htmx (from the npm registry) where the demo and the tests use it.
# These machines have no internet beyond the package registries, so the CDN URL cannot load.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=2.0.11
expected="sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
target="$root/web/static/vendor/htmx-$version.min.js"

if [ -f "$target" ]; then
  actual="sha384-$(openssl dgst -sha384 -binary "$target" | openssl base64 -A)"
  [ "$actual" = "$expected" ] && exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "htmx.org@$version" >/dev/null && tar xzf "htmx.org-$version.tgz")
actual="sha384-$(openssl dgst -sha384 -binary "$work/package/dist/htmx.min.js" | openssl base64 -A)"
if [ "$actual" != "$expected" ]; then
  echo "vendor-htmx: integrity mismatch for htmx $version: got $actual" >&2
  exit 1
fi
mkdir -p "$(dirname "$target")"
cp "$work/package/dist/htmx.min.js" "$target"
echo "vendor-htmx: htmx $version checked and installed at ${target#"$root"/}"
