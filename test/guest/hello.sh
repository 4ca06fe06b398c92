#!/usr/bin/env bash
# apps/hello: greeting, one line per argument and environ entry, and the
# exit status from --exit N, on each machine.
# Usage: hello.sh status N MACHINE | hello.sh cmdline | hello.sh quiet
. "$(dirname "$0")/lib.sh"

case $1 in
status)
	n=$2 machine=$3
	boot hello --machine "$machine" --append loglevel=7 -e GREETING=hi -e "EMPTY=" -- one "two words" --exit "$n"
	expect_status "$n"
	if [ "$machine" = virt-el2 ]; then
		expect_match "KiB free, loader device tree, entered at EL2$"
	fi
	expect_lines_matching '^(hello from skiff|argv|env )' \
		"hello from skiff" "argv[1]=one" "argv[2]=two words" "argv[3]=--exit" \
		"argv[4]=$n" "env GREETING=hi" "env EMPTY="
	;;
cmdline)
	# Kernel options are consumed, KEY=VALUE become environ, words after
	# -- are argv even when they look like options; bad options warn.
	boot hello --append 'loglevel=7 nosuchoption loglevel=banana A=1' -- B=2 quiet
	expect_status 0
	expect_line "argv[1]=B=2"
	expect_line "argv[2]=quiet"
	expect_line "env A=1"
	expect_no_line "env B=2"
	expect_match "warning: .*'nosuchoption'"
	expect_match "warning: .*'loglevel=banana'"
	expect_no_line "env loglevel=7"
	;;
quiet)
	boot hello --append 'quiet bogus' -- x
	expect_status 0
	expect_line "argv[1]=x"
	expect_match "warning: .*'bogus'"   # warnings survive quiet
	expect_no_line "env quiet"
	;;
*) echo "unknown case $1"; exit 2 ;;
esac
done_ok
