/* Ending the VM with an exit status (docs/ARCHITECTURE.md, "Conventions").
 *
 * 1. With semihosting (skiff run and the tests enable it), the status goes
 *    as text "skiff-exit N" to the semihosting console, which qemu/launch
 *    routes into the status file (the same channel as x86_64's debug
 *    console), then SYS_EXIT with ADP_Stopped_ApplicationExit and the
 *    status as its subcode: QEMU exits with that status.
 * 2. Without it, PSCI SYSTEM_OFF (by hvc or smc, as the device tree's psci
 *    node says) powers the VM off; the host sees QEMU exit 0.
 * 3. Otherwise: say so and wait for ever rather than return into the app.
 * Whether semihosting is there is found out once at boot by trying: the
 * trap handler skips the HLT that QEMU treats as undefined when it is off.
 */
#include <stdint.h>
#include <string.h>

#include "arch/aarch64/cpu.h"
#include "arch/aarch64/platform.h"
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/log.h"

#define SEMIHOSTING_WRITE0 0x04
#define SEMIHOSTING_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define PSCI_SYSTEM_OFF 0x84000008u

extern volatile uintptr_t aarch64_trap_expected;

#define SEMIHOSTING_ERRNO 0x13

/* Whether QEMU has semihosting, learnt once at boot (aarch64_exit_init):
 * exits then never trap, even when a panic comes from the exception
 * handler itself. */
static bool semihosting;

/* A semihosting call: HLT #0xF000 with the operation in w0 and its
 * parameter in x1 (only made when semihosting is there). */
static void semihosting_call(uint64_t op, const void *param)
{
	register uint64_t x0 __asm__("x0") = op;
	register uint64_t x1 __asm__("x1") = (uintptr_t)param;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

void aarch64_exit_init(void)
{
	/* SYS_ERRNO changes nothing. Without semihosting QEMU makes the HLT
	 * undefined; trap.c skips it and clears aarch64_trap_expected, which
	 * this one asm statement set to its address. */
	register uint64_t x0 __asm__("x0") = SEMIHOSTING_ERRNO;
	__asm__ volatile("adr x1, 1f\n\t"
			 "str x1, %1\n"
			 "1:\thlt #0xf000"
			 : "+r"(x0), "=m"(aarch64_trap_expected) : : "x1", "memory");
	semihosting = aarch64_trap_expected != 0;
	aarch64_trap_expected = 0;
}

/* Register variables hold their value only into the asm right after them
 * (a call in between clobbers x0): so each conduit gets its own function. */
static void psci_hvc(uint64_t function)
{
	register uint64_t x0 __asm__("x0") = function;
	__asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
}

static void psci_smc(uint64_t function)
{
	register uint64_t x0 __asm__("x0") = function;
	__asm__ volatile("smc #0" : "+r"(x0) : : "memory");
}

static void psci_system_off(void)
{
	uint32_t len = 0;
	int node = fdt_path(&aarch64_fdt, "/psci");
	const char *method = node >= 0 ? fdt_prop(&aarch64_fdt, node, "method", &len) : 0;
	if (method && len >= 4 && memcmp(method, "hvc", 4) == 0)
		psci_hvc(PSCI_SYSTEM_OFF);
	else if (method && len >= 4 && memcmp(method, "smc", 4) == 0)
		psci_smc(PSCI_SYSTEM_OFF);
}

void arch_exit(int status)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
	char text[32];
	ksnprintf(text, sizeof(text), "skiff-exit %d\n", status);
	if (semihosting) {
		semihosting_call(SEMIHOSTING_WRITE0, text);
		uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint64_t)(int64_t)status };
		semihosting_call(SEMIHOSTING_EXIT, block);
	}
	psci_system_off();
	static const char hint[] = "skiff: cannot power off: no semihosting and no PSCI\n";
	console_write(CONSOLE_KERNEL, hint, sizeof(hint) - 1);
	for (;;)
		__asm__ volatile("wfi");
}
