#!/usr/bin/env bash
# Fatal faults print a diagnostic with a symbolized backtrace and end the VM
# with the panic status 125; the image is W^X. Usage: traps.sh null|div0|
# overflow|oom|write-text|write-rodata|exec-data|ud
. "$(dirname "$0")/lib.sh"
panic_status=125
# What the report says differs by architecture (x86 vectors and error
# codes, aarch64 exception classes and ESR values); the meaning does not.
if [ "$ARCH" = aarch64 ]; then
	data_abort="fatal exception 0x25 \(data abort\) in thread 'main'"
	case $1 in
	null)
		boot traps -- null
		expect_match "$data_abort"
		expect_match "^null pointer dereference: read at address 0x0+$"
		expect_match "^at 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
		expect_match "^  x0  [0-9a-f]{16}  x1  [0-9a-f]{16}"
		expect_match "^  #1 0x[0-9a-f]+ run_main\+0x[0-9a-f]+$"
		;;
	div0)
		# aarch64 defines integer division by zero as 0: no trap.
		boot traps -- div0
		expect_line "traps: provoking div0"
		expect_status 0
		done_ok
		exit 0
		;;
	overflow)
		boot traps -- overflow
		expect_match "$data_abort"
		expect_match "^stack overflow in thread 'main': write at 0x[0-9a-f]+ hit the guard page below its 256 KiB stack$"
		expect_match "^  #0 0x[0-9a-f]+ recurse\+0x[0-9a-f]+$"
		;;
	oom)
		boot traps --mem 16M -- oom
		expect_match "^skiff: panic: out of memory: malloc needed [0-9]+ more bytes of heap"
		;;
	write-text|write-rodata)
		boot traps -- "$1"
		expect_match "$data_abort, esr 0x9600004f$"      # write, permission fault
		expect_match "^protection violation: write at 0x[0-9a-f]+ is not allowed there$"
		expect_match "^at 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
		;;
	exec-data)
		boot traps -- exec-data
		expect_match "fatal exception 0x21 \(instruction abort\) in thread 'main', esr 0x8600000f$"
		expect_match "^protection violation: execute at 0x[0-9a-f]+ is not allowed there$"
		expect_match "^called from 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
		;;
	ud)
		boot traps -- ud
		expect_match "fatal exception 0x3c \(breakpoint \(brk\)\) in thread 'main'"
		expect_match "^at 0x[0-9a-f]+ main(\.cold)?\+0x[0-9a-f]+$"
		;;
	*) echo "unknown case $1"; exit 2 ;;
	esac
else
	case $1 in
	null)
		boot traps -- null
		expect_match "fatal exception 14 \(page fault\) in thread 'main'"
		expect_match "^null pointer dereference: read at address 0x0+$"
		expect_match "^at 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
		expect_match "^  rip [0-9a-f]{16}  rsp [0-9a-f]{16}"
		expect_match "^  #1 0x[0-9a-f]+ run_main\+0x[0-9a-f]+$"
		;;
	div0)
		boot traps -- div0
		expect_match "fatal exception 0 \(divide error\) in thread 'main'"
		expect_match "^  #0 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
		;;
	overflow)
		boot traps -- overflow
		expect_match "fatal exception 14 \(page fault\)"
		expect_match "^stack overflow in thread 'main': write at 0x[0-9a-f]+ hit the guard page below its 256 KiB stack$"
		expect_match "^  #0 0x[0-9a-f]+ recurse\+0x[0-9a-f]+$"
		;;
	oom)
		boot traps --mem 16M -- oom
		expect_match "^skiff: panic: out of memory: malloc needed [0-9]+ more bytes of heap"
		;;
	write-text|write-rodata)
		boot traps -- "$1"
		expect_match "fatal exception 14 \(page fault\) in thread 'main', error code 0x3$"
		expect_match "^protection violation: write at 0x[0-9a-f]+ is not allowed there$"
		expect_match "^at 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
		;;
	exec-data)
		boot traps -- exec-data
		expect_match "fatal exception 14 \(page fault\) in thread 'main', error code 0x11$"
		expect_match "^protection violation: execute at 0x[0-9a-f]+ is not allowed there$"
		expect_match "^called from 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
		;;
	ud)
		boot traps -- ud
		expect_match "fatal exception 6 \(invalid opcode\) in thread 'main'"
		expect_match "^at 0x[0-9a-f]+ main(\.cold)?\+0x[0-9a-f]+$"   # gcc may move it to main.cold
		;;
	*) echo "unknown case $1"; exit 2 ;;
	esac
fi
expect_line "skiff: halted by panic (exit status $panic_status)"
expect_status $panic_status
done_ok
