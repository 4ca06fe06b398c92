#!/usr/bin/env bash
# Nothing outside arch/ and boot/ (and the arch-contract headers they
# provide) may say which CPU it is built for: generic code that needs to
# know is a missing arch contract function. Fails listing the offenders.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
pattern='#\s*(if|ifdef|ifndef|elif).*(__x86_64__|__aarch64__|__i386__|__arm__|__amd64__)'
offenders=$(git ls-files '*.c' '*.h' '*.S' | grep -vE '^(arch|boot)/' |
	xargs grep -nE "$pattern" || true)
files=$(git ls-files '*.c' '*.h' '*.S' | grep -vcE '^(arch|boot)/')
if [ -n "$offenders" ]; then
	echo "FAIL: CPU-specific conditionals outside arch/ and boot/:"
	echo "$offenders"
	exit 1
fi
echo "ok: $files generic source files name no CPU"
