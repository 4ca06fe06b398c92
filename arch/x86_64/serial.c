/* The boot console: a 16550 UART at COM1, polled. Polling keeps it usable
 * from traps and panics; QEMU's UART is always ready, so it costs nothing. */
#include <stddef.h>

#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"

#define COM1 0x3F8
#define UART_THR 0      /* transmit holding register */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0      /* with LCR.DLAB */
#define UART_DLM 1
#define LSR_THRE 0x20   /* transmitter can take a byte */
#define SPIN_LIMIT 100000 /* a missing UART must not hang the console */

static int uart_ready;

static void uart_init(void)
{
	outb(COM1 + UART_IER, 0x00);    /* we poll, no interrupts */
	outb(COM1 + UART_LCR, 0x80);    /* DLAB on: set the divisor */
	outb(COM1 + UART_DLL, 1);       /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);    /* 8N1 */
	outb(COM1 + UART_FCR, 0x07);    /* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);    /* DTR, RTS */
	uart_ready = 1;
}

static void uart_put(char c)
{
	for (int spin = 0; spin < SPIN_LIMIT; spin++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1 + UART_THR, (unsigned char)c);
}

void arch_console_write(const char *buf, size_t len)
{
	if (!uart_ready)
		uart_init();
	for (size_t i = 0; i < len; i++)
		uart_put(buf[i]);      /* raw: kernel/console.c adds CRs */
}
