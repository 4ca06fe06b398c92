#!/bin/sh
# Makes archives with the real cpio tool for test_cpio and test_ramfs:
# $1 = output directory. Writes newc.cpio (070701) and crc.cpio (070702) of a
# small tree whose contents the tests know (see real_tree_check in the tests).
set -eu
out=$1
tree=$out/cpio-tree
rm -rf "$tree"
mkdir -p "$tree/dir/sub" "$tree/empty"
printf 'hello\n' > "$tree/dir/hello.txt"
printf '' > "$tree/zero"
printf 'a' > "$tree/one"
printf 'ab' > "$tree/two"
printf 'abc' > "$tree/three"
printf 'abcd' > "$tree/four"
printf 'abcde' > "$tree/dir/sub/five"
ln -s dir/hello.txt "$tree/link"
ln "$tree/four" "$tree/dir/hard"
cd "$tree"
find . | LC_ALL=C sort | cpio -o -H newc --quiet > "$out/newc.cpio"
find . | LC_ALL=C sort | cpio -o -H crc --quiet > "$out/crc.cpio"
