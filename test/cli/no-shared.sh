#!/usr/bin/env bash
# On a clone without ../shared (the conformance data), the tests that need
# it report "skipped" with the reason instead of failing: configure a
# scratch build tree whose spec directory does not exist and run them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/skiff-noshared.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
cmake -S "$repo" -B "$tmp" "${gen[@]}" -DSKIFFWASM_SPEC_DIR="$tmp/no-such-dir" \
	-DSKIFFWASM_WASI_SUITE_DIR="$tmp/no-such-suite" --log-level=WARNING >/dev/null
out=$(ctest --test-dir "$tmp" -R '^wasm\.(spec|proposal|wasi-suite|fuzz)' -V 2>&1) || {
	echo "FAIL: ctest failed:"; echo "$out"; exit 1; }
for t in wasm.spec.suite wasm.wasi-suite wasm.fuzz.load wasm.proposal.threads wasm.proposal.memory64; do
	grep -q -- "$t (Skipped)" <<<"$out" || { echo "FAIL: $t not skipped:"; echo "$out"; exit 1; }
done
grep -q "SKIPPED: the WebAssembly spec suite is not in" <<<"$out" || { echo "FAIL: no reason given:"; echo "$out"; exit 1; }
! grep -q "(Failed)" <<<"$out" || { echo "FAIL: a test failed without ../shared:"; echo "$out"; exit 1; }
echo "7 passed, 0 failed"
