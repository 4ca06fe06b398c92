#!/usr/bin/env bash
# pthreads on the cooperative scheduler: the guest app checks create/join,
# mutex, condition variables, timed waits, sleep order, keys, once, detach.
# Usage: threads.sh MACHINE [pit]   (pit: a CPU without a local APIC, so the
# timer is the 8254 PIT through the 8259 PIC)
. "$(dirname "$0")/lib.sh"
if [ "${2:-}" = pit ]; then
	SKIFF_QEMU_ARGS="-cpu qemu64,-apic" boot threads --machine "$1" --append loglevel=7
	expect_line "skiff: timer: 8254 PIT via 8259 PIC (no local APIC)"
elif [ "$ARCH" = aarch64 ]; then
	boot threads --machine "$1" --append loglevel=7
	gic=GICv2; [ "$1" = virt-gicv3 ] && gic=GICv3
	expect_match "^skiff: $gic, [0-9]+ interrupt lines$"
	expect_match "^skiff: timer: cntvct [0-9.]+ MHz, virtual timer INTID 27$"
else
	boot threads --machine "$1" --append loglevel=7
	expect_line "skiff: timer: local APIC one-shot"
fi
expect_status 0
for what in "create/join returns values" "mutex excludes across yields" "trylock" \
	"condition variable producer/consumer" "cond timedwait times out after ~50 ms" \
	"sleepers wake in deadline order" "sleeps overlap (about 30 ms in all)" \
	"thread-specific data and destructor" "pthread_once runs once" \
	"detached threads are reaped and slots reused" "errno is per thread (TLS)"; do
	expect_line "ok $what"
done
expect_line "threads: 0 failures"
done_ok
