#!/usr/bin/env bash
# The initrd as the root file system: files read back byte-exact three ways
# (read, pread, lseek), directories list, concatenated archives are all read,
# a non-CPIO initrd is /initrd, and a corrupt archive is reported, not fatal.
# Usage: initrd.sh tree|dir|concat|raw|corrupt
. "$(dirname "$0")/lib.sh"
command -v cpio >/dev/null || { echo "cpio is not installed (tools/setup installs it)"; exit 1; }

# size and FNV-1a 64 of a host file, in the guest app's format
expected() {
	python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
h = 0xCBF29CE484222325
for b in data:
    h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
print("file %s size %d hash %016x" % (sys.argv[2], len(data), h))
PY
}

archive() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet); }

tree=$work/tree
mkdir -p "$tree/etc" "$tree/data/deep/er"
head -c 300001 /dev/urandom >"$tree/data/blob.bin"
printf 'hello initrd\n' >"$tree/etc/motd"
: >"$tree/data/empty"
ln -s ../../../etc/motd "$tree/data/deep/er/link"      # relative
ln -s /etc/motd "$tree/data/abs"                       # absolute

# What `files` prints for $tree, booted with the arguments below.
tree_args=(/data/blob.bin /etc/motd /data/empty /data/deep/er/link /data/abs /data)
expect_tree_read() {
	expect_status 0
	expect_line "$(expected "$tree/data/blob.bin" /data/blob.bin)"
	expect_line "$(expected "$tree/etc/motd" /etc/motd)"
	expect_line "$(expected "$tree/data/empty" /data/empty)"
	expect_line "$(expected "$tree/etc/motd" /data/deep/er/link)"
	expect_line "$(expected "$tree/etc/motd" /data/abs)"
	expect_lines_matching '^dir /data ' "dir /data entry ./" "dir /data entry ../" "dir /data entry abs" \
		"dir /data entry blob.bin" "dir /data entry deep/" "dir /data entry empty"
}

case $1 in
tree)
	archive "$tree" >"$work/initrd.cpio"
	boot files --initrd "$work/initrd.cpio" -- "${tree_args[@]}"
	expect_tree_read
	;;
dir)
	# A directory given to --initrd: skiff packs it itself.
	boot files --initrd "$tree" -- "${tree_args[@]}"
	expect_tree_read
	;;
concat)
	second=$work/second
	mkdir -p "$second/more"
	head -c 5000 /dev/urandom >"$second/more/late.bin"
	archive "$tree" >"$work/initrd.cpio"
	archive "$second" >>"$work/initrd.cpio"
	boot files --initrd "$work/initrd.cpio" -- /data/blob.bin /more/late.bin
	expect_status 0
	expect_line "$(expected "$tree/data/blob.bin" /data/blob.bin)"
	expect_line "$(expected "$second/more/late.bin" /more/late.bin)"
	;;
raw)
	head -c 70000 /dev/urandom >"$work/raw.img"
	boot files --initrd "$work/raw.img" -- /initrd /
	expect_status 0
	expect_line "$(expected "$work/raw.img" /initrd)"
	expect_line "dir / entry initrd"
	;;
corrupt)
	archive "$tree" >"$work/full.cpio"
	head -c 200000 "$work/full.cpio" >"$work/truncated.cpio"   # cut inside blob.bin
	boot files --initrd "$work/truncated.cpio" -- /etc/motd
	expect_match "^skiff: initrd: corrupt cpio archive at offset [0-9]+"
	expect_line "/etc/motd: stat: No such file or directory"
	expect_status 1
	;;
*) echo "unknown case $1"; exit 2 ;;
esac
done_ok
