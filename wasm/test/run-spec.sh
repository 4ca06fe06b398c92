#!/bin/sh
# run-spec.sh SPECTEST FILE.wast [WAST2JSON_FLAG...] [-- DRIVER_ARG...] - convert one spec
# file with wabt's wast2json into a scratch directory (flags such as --enable-threads
# for the proposal folders) and run our driver over it.  Exit status is the driver's.
set -eu
driver=$1
wast=$2
shift 2
command -v wast2json >/dev/null || { echo "wast2json not found (install Debian's wabt)" >&2; exit 2; }
flags=
while [ $# -gt 0 ] && [ "$1" != -- ]; do flags="$flags $1"; shift; done
[ $# -gt 0 ] && shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base=$(basename "$wast" .wast)
wast2json $flags "$wast" -o "$tmp/$base.json"
"$driver" "$tmp/$base.json" ${SPECTEST_VERBOSE:+-v} "$@"
