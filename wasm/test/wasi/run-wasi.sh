#!/bin/sh
# run-wasi.sh SKIFF_WASM SRCDIR TEST - build TEST.c for wasm32-wasi, run it under
# skiff-wasm and (where node supports the calls) under node:wasi, and compare stdout
# and exit status.  Each program also checks itself and exits non-zero on a mismatch.
set -u
skiff=$1
src=$2
t=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $t: $*" >&2; exit 1; }

clang --target=wasm32-wasi -O2 -g "$src/$t.c" -o "$tmp/$t.wasm" || fail "clang --target=wasm32-wasi failed"

# run_skiff EXPECTED_STATUS [args...]: output in $tmp/skiff.out
run_skiff() {
    want=$1; shift
    rm -rf "$tmp/sb" && mkdir -p "$tmp/sb" && echo secret > "$tmp/secret.txt" && echo inside > "$tmp/sb/inside.txt"
    SKIFF_A= "$skiff" --dir "$tmp/sb::/sandbox" --env SKIFF_A=alpha --env SKIFF_B="b c" "$tmp/$t.wasm" "$@" \
        > "$tmp/skiff.out" 2> "$tmp/skiff.err"
    st=$?
    [ "$st" = "$want" ] || { cat "$tmp/skiff.out" "$tmp/skiff.err" >&2; fail "skiff-wasm exit status $st, want $want"; }
    [ -z "$(ls -A "$tmp/sb" | grep -v '^inside.txt$')" ] || fail "sandbox not cleaned up by the program"
    [ "$(cat "$tmp/secret.txt")" = secret ] || fail "file outside the sandbox changed"
}

run_node() {
    want=$1; shift
    rm -rf "$tmp/sb" && mkdir -p "$tmp/sb" && echo inside > "$tmp/sb/inside.txt"
    SKIFF_A=alpha SKIFF_B="b c" node --no-warnings "$src/node-run.mjs" "$tmp/$t.wasm" "$tmp/sb" "$@" \
        > "$tmp/node.out" 2> "$tmp/node.err"
    st=$?
    [ "$st" = "$want" ] || { cat "$tmp/node.out" "$tmp/node.err" >&2; fail "node exit status $st, want $want"; }
    diff -u "$tmp/node.out" "$tmp/skiff.out" >&2 || fail "output differs from node:wasi"
}

case $t in
args_env)
    run_skiff 0 one "two words" three
    grep -qx 'argv\[2\]=two words' "$tmp/skiff.out" || fail "argv not passed"
    grep -qx 'SKIFF_B=b c' "$tmp/skiff.out" || fail "env not passed"
    run_node 0 one "two words" three ;;
exitcode)
    run_skiff 7
    run_node 7 ;;
clock_random|files)
    run_skiff 0
    run_node 0 ;;
fs_more)
    # node's WASI lacks fd_fdstat_set_flags and fd subscriptions in poll_oneoff, so
    # this one is checked against a golden output instead
    run_skiff 0
    diff -u "$src/fs_more.expected" "$tmp/skiff.out" >&2 || fail "output differs from fs_more.expected" ;;
escape)
    run_skiff 0
    [ "$(grep -c refused "$tmp/skiff.out")" = 6 ] || fail "an escape attempt was not refused"
    grep -qx 'inside via dotdot: OPENED' "$tmp/skiff.out" || fail "a legal path inside the sandbox was refused"
    run_node 0 ;;
trap)
    run_skiff 134
    grep -q 'integer divide by zero' "$tmp/skiff.err" || fail "trap kind not reported"
    grep -q 'divide' "$tmp/skiff.err" || fail "backtrace lacks function names"
    grep -qx 'before trap' "$tmp/skiff.out" || fail "output before the trap lost" ;;
echo)
    port=$(( 20000 + $$ % 20000 ))
    "$skiff" --tcplisten 127.0.0.1:$port "$tmp/$t.wasm" > "$tmp/skiff.out" 2>&1 &
    pid=$!
    i=0
    until grep -q listening "$tmp/skiff.out" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || { kill $pid; fail "server never became ready"; }; sleep 0.05
    done
    head -c 100000 /dev/urandom > "$tmp/payload"
    node -e '
      const net = require("net"), fs = require("fs");
      const data = fs.readFileSync(process.argv[1]);
      const chunks = [];
      const s = net.connect(+process.argv[2], "127.0.0.1", () => { s.end(data); });
      s.on("data", (d) => chunks.push(d));
      s.on("end", () => { fs.writeFileSync(process.argv[3], Buffer.concat(chunks)); });
      s.on("error", (e) => { console.error(e); process.exit(1); });
    ' "$tmp/payload" $port "$tmp/echoed" || { kill $pid; fail "client failed"; }
    wait $pid || fail "server exit status $?"
    cmp "$tmp/payload" "$tmp/echoed" || fail "echoed bytes differ"
    grep -qx 'echoed 100000 bytes' "$tmp/skiff.out" || fail "server byte count wrong" ;;
*)
    fail "unknown test" ;;
esac
echo "PASS: $t"
