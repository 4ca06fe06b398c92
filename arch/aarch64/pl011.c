/* The boot console: the PL011 UART the device tree names ("arm,pl011").
 * QEMU's PL011 transmits as soon as the data register is written; the
 * flag register's TXFF bit still tells a real FIFO is full. Before the
 * device tree has been read there is no console and output is dropped. */
#include <stddef.h>
#include <stdint.h>

#include "arch/aarch64/cpu.h"
#include "arch/aarch64/platform.h"
#include "kernel/arch.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)
#define UART_CR 0x30
#define UART_CR_UARTEN (1u << 0)
#define UART_CR_TXE (1u << 8)

static uintptr_t uart;

void pl011_init(uint64_t base)
{
	uart = (uintptr_t)base;
	uint32_t cr = mmio_read32(uart + UART_CR);
	mmio_write32(uart + UART_CR, cr | UART_CR_UARTEN | UART_CR_TXE);
}

static void put(char c)
{
	for (unsigned spins = 0; (mmio_read32(uart + UART_FR) & UART_FR_TXFF) && spins < 1000000; spins++)
		;
	mmio_write32(uart + UART_DR, (uint8_t)c);
}

void arch_console_write(const char *buf, size_t len)
{
	if (!uart)
		return;
	for (size_t i = 0; i < len; i++)
		put(buf[i]);           /* raw: kernel/console.c adds CRs */
}
