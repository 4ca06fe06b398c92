#!/usr/bin/env bash
# Fatal faults print a diagnostic with a symbolized backtrace and end the VM
# with the panic status 125; the image is W^X. Usage: traps.sh null|div0|
# overflow|oom|write-text|write-rodata|exec-data|ud
. "$(dirname "$0")/lib.sh"
panic_status=125
# What the report's first line and register dump say differs by
# architecture (x86 vectors and error codes, aarch64 exception classes and
# ESR values); what the fault means does not.
if [ "$ARCH" = aarch64 ]; then
	data_abort="fatal exception 0x25 \(data abort\) in thread 'main'"
	null_fault=$data_abort overflow_fault=$data_abort
	registers="^  x0  [0-9a-f]{16}  x1  [0-9a-f]{16}"
	write_fault="$data_abort, esr 0x9600004f$"     # write, permission fault
	exec_fault="fatal exception 0x21 \(instruction abort\) in thread 'main', esr 0x8600000f$"
	ud_fault="fatal exception 0x3c \(breakpoint \(brk\)\) in thread 'main'"
else
	null_fault="fatal exception 14 \(page fault\) in thread 'main'"
	overflow_fault="fatal exception 14 \(page fault\)"
	registers="^  rip [0-9a-f]{16}  rsp [0-9a-f]{16}"
	write_fault="fatal exception 14 \(page fault\) in thread 'main', error code 0x3$"
	exec_fault="fatal exception 14 \(page fault\) in thread 'main', error code 0x11$"
	ud_fault="fatal exception 6 \(invalid opcode\) in thread 'main'"
fi
case $1 in
null)
	boot traps -- null
	expect_match "$null_fault"
	expect_match "^null pointer dereference: read at address 0x0+$"
	expect_match "^at 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
	expect_match "$registers"
	expect_match "^  #1 0x[0-9a-f]+ run_main\+0x[0-9a-f]+$"
	;;
div0)
	boot traps -- div0
	if [ "$ARCH" = aarch64 ]; then
		# aarch64 defines integer division by zero as 0: no trap.
		expect_line "traps: provoking div0"
		expect_status 0
		done_ok
		exit 0
	fi
	expect_match "fatal exception 0 \(divide error\) in thread 'main'"
	expect_match "^  #0 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
	;;
overflow)
	boot traps -- overflow
	expect_match "$overflow_fault"
	expect_match "^stack overflow in thread 'main': write at 0x[0-9a-f]+ hit the guard page below its 256 KiB stack$"
	expect_match "^  #0 0x[0-9a-f]+ recurse\+0x[0-9a-f]+$"
	;;
oom)
	boot traps --mem 16M -- oom
	expect_match "^skiff: panic: out of memory: malloc needed [0-9]+ more bytes of heap"
	;;
write-text|write-rodata)
	boot traps -- "$1"
	expect_match "$write_fault"
	expect_match "^protection violation: write at 0x[0-9a-f]+ is not allowed there$"
	expect_match "^at 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
	;;
exec-data)
	boot traps -- exec-data
	expect_match "$exec_fault"
	expect_match "^protection violation: execute at 0x[0-9a-f]+ is not allowed there$"
	expect_match "^called from 0x[0-9a-f]+ main\+0x[0-9a-f]+$"
	;;
ud)
	boot traps -- ud
	expect_match "$ud_fault"
	expect_match "^at 0x[0-9a-f]+ main(\.cold)?\+0x[0-9a-f]+$"   # gcc may move it to main.cold
	;;
*) echo "unknown case $1"; exit 2 ;;
esac
expect_line "skiff: halted by panic (exit status $panic_status)"
expect_status $panic_status
done_ok
