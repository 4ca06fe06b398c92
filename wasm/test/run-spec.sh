#!/bin/sh
# run-spec.sh SPECTEST FILE.wast - convert one spec file with wabt's wast2json into a
# scratch directory and run our driver over it.  Exit status is the driver's.
set -eu
driver=$1
wast=$2
command -v wast2json >/dev/null || { echo "wast2json not found (install Debian's wabt)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base=$(basename "$wast" .wast)
wast2json "$wast" -o "$tmp/$base.json"
"$driver" "$tmp/$base.json" ${SPECTEST_VERBOSE:+-v}
