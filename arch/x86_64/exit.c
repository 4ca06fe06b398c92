/* Ending the VM with an exit status (docs/ARCHITECTURE.md, "Conventions").
 *
 * 1. The status goes as text to the debug console port 0xE9 as
 *    "skiff-exit N": `skiff run` attaches it (-debugcon) and reads the exact
 *    status from it, which also tells a guest exit apart from a QEMU failure
 *    (both of which could otherwise show as host status 1).
 * 2. The status is written to isa-debug-exit at 0xF4: QEMU exits with 2n+1.
 * 3. Without that device, the ACPI PM1a control port that QEMU's pc and q35
 *    firmware set up at 0x604 powers the machine off (status unknown).
 * 4. Otherwise nothing can stop the VM: say so and halt for good, rather
 *    than reset and run the app again.
 */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/log.h"

#define DEBUGCON_PORT 0xE9
#define DEBUG_EXIT_PORT 0xF4
#define ACPI_PM1A_CNT 0x604
#define ACPI_SLP_EN_S5 0x2000

static void debugcon_write(const char *s)
{
	while (*s)
		outb(DEBUGCON_PORT, (uint8_t)*s++);
}

static void debugcon_status(int status)
{
	char text[32];
	ksnprintf(text, sizeof(text), "skiff-exit %d\n", status);
	debugcon_write(text);
}

void arch_exit(int status)
{
	__asm__ volatile("cli");
	debugcon_status(status);
	outl(DEBUG_EXIT_PORT, (uint32_t)status);
	outw(ACPI_PM1A_CNT, ACPI_SLP_EN_S5);
	static const char hint[] = "skiff: cannot power off: add "
		"-device isa-debug-exit,iobase=0xf4,iosize=0x04 to QEMU\n";
	console_write(CONSOLE_KERNEL, hint, sizeof(hint) - 1);
	for (;;)
		__asm__ volatile("hlt");
}
