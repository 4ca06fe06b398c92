#!/usr/bin/env bash
# Long fuzzing of fs/ext4*.c + libext2fs by hand, with clang's libFuzzer
# (the test suite runs the standalone driver for a few seconds instead):
#   test/unit/fuzz_ext4.sh [SECONDS] [JOBS]
# Builds build/fuzz-ext4/fuzz_ext4 (ASan + UBSan + libFuzzer) from
# test/unit/fuzz_ext4.c, fs/ext4*.c, the block cache and the e2fsprogs
# sources tools/setup unpacked, makes seed images with mke2fs (ext4 and
# ext2, small) and fuzzes for SECONDS (default 600). Crashes are written to
# build/fuzz-ext4/crash-*; replay one with: build/fuzz-ext4/fuzz_ext4 FILE
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_=${1:-600}
JOBS=${2:-1}
OUT=$ROOT/build/fuzz-ext4
E2FS_SRC=$ROOT/deps/src/e2fsprogs-1.47.2
E2FS_GEN=$ROOT/deps/e2fs
[[ -f $E2FS_GEN/include/ext2fs/ext2_err.h ]] || { echo "fuzz_ext4.sh: run tools/setup first" >&2; exit 1; }
mkdir -p "$OUT/obj" "$OUT/corpus"
SAN=(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g -O1 -ffunction-sections -fdata-sections)

# libext2fs, as fs/libext2fs/SOURCES lists it.
objs=()
while read -r line || [[ -n $line ]]; do
    line=${line%%#*}; line=${line//[[:space:]]/}
    [[ -n $line ]] || continue
    obj=$OUT/obj/$(basename "${line%.c}").o
    if [[ ! -f $obj || $E2FS_SRC/$line -nt $obj ]]; then
        clang "${SAN[@]}" -w -DHAVE_CONFIG_H -I"$ROOT/fs/libext2fs" -I"$E2FS_GEN/include" \
            -I"$E2FS_SRC/lib" -I"$E2FS_SRC/lib/ext2fs" -c "$E2FS_SRC/$line" -o "$obj"
    fi
    objs+=("$obj")
done < <(cat "$ROOT/fs/libext2fs/SOURCES"
          # libFuzzer's coverage tables keep every function alive, so mkjournal.c's
          # journal-device code needs its mounted-device probe here (glibc has what it uses).
          echo lib/ext2fs/ismounted.c)
clang "${SAN[@]}" -w -I"$E2FS_GEN/include" -c "$E2FS_GEN/src/ext2_err.c" -o "$OUT/obj/ext2_err.o"
objs+=("$OUT/obj/ext2_err.o")

ours=(fs/ext4.c fs/ext4_dir.c fs/ext4_file.c fs/ext4_io.c fs/ext4_err.c fs/ext4_check.c fs/ext4_orphan.c fs/bcache.c drivers/block/blkdev.c
      test/unit/host/sync_stub.c test/unit/host/kernel_stub.c test/unit/memdisk.c test/unit/fuzz_ext4.c)
clang -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1 -DFUZZ_LIBFUZZER \
    -Wall -Wextra -Werror -I"$ROOT" -I"$ROOT/test/unit" -I"$ROOT/test/unit/host" -isystem "$E2FS_GEN/include" \
    "${ours[@]/#/$ROOT/}" "${objs[@]}" -Wl,--gc-sections -o "$OUT/fuzz_ext4"

# Seeds: small ext4 and ext2 images of a little tree.
if [[ ! -f $OUT/corpus/seed-ext4.img ]]; then
    tmp=$(mktemp -d)
    mkdir -p "$tmp/src/d/e"
    echo hello >"$tmp/src/a"; ln -s a "$tmp/src/l"; ln "$tmp/src/a" "$tmp/src/h"
    head -c 70000 /dev/urandom >"$tmp/src/d/big"
    for i in $(seq 1 40); do echo "$i" >"$tmp/src/d/e/file-number-$i"; done
    mke2fs -q -F -t ext4 -b 1024 -N 96 -d "$tmp/src" "$OUT/corpus/seed-ext4.img" 600K
    mke2fs -q -F -t ext2 -b 1024 -N 96 -d "$tmp/src" "$OUT/corpus/seed-ext2.img" 400K
    rm -rf "$tmp"
fi
cd "$OUT"
exec ./fuzz_ext4 -max_total_time="$SECONDS_" -timeout=20 -rss_limit_mb=4096 -max_len=700000 \
    -jobs="$JOBS" -workers="$JOBS" corpus
