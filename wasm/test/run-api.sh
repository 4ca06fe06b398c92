#!/bin/sh
# run-api.sh API_TEST SRCDIR - assemble api.wat with wabt's wat2wasm and run the API test.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wat2wasm "$2/api.wat" -o "$tmp/api.wasm"
"$1" "$tmp/api.wasm"
