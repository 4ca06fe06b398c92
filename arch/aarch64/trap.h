/* The register frame vectors.S saves, and the exception kinds it passes
 * to aarch64_exception (arch-internal; included from assembly too). */
#ifndef SKIFF_ARCH_AARCH64_TRAP_H
#define SKIFF_ARCH_AARCH64_TRAP_H

#define TRAP_FRAME_SIZE 288
#define TRAP_SYNC_SP0 0         /* from code on SP_EL0: all of ours */
#define TRAP_IRQ_SP0 1
#define TRAP_FIQ_SP0 2
#define TRAP_SERROR_SP0 3
#define TRAP_SYNC_SPX 4         /* from the exception handler itself */
#define TRAP_IRQ_SPX 5
#define TRAP_FIQ_SPX 6
#define TRAP_SERROR_SPX 7
#define TRAP_LOWER 8            /* from EL0: never expected */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame {
	uint64_t x[31];         /* x0..x30 */
	uint64_t sp;            /* SP_EL0 at the exception */
	uint64_t elr, spsr, esr, far;
};
_Static_assert(sizeof(struct trap_frame) == TRAP_FRAME_SIZE, "vectors.S frame layout");

void aarch64_exception(struct trap_frame *f, unsigned long kind);
#endif

#endif
