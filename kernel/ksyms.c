/* Symbol lookup for backtraces. The table is generated from the image's own
 * symbols by tools/gen-ksyms after a first link and linked into .ksyms
 * (kernel.ld); the first link has an empty table. Entries are sorted. */
#include <stdint.h>

#include "kernel/bootinfo.h"
#include "kernel/panic.h"

struct ksym {
	uint64_t addr;
	const char *name;
};

extern const uint64_t __ksyms_start[];  /* count, then the entries */
extern const char __ksyms_end[];

const char *ksym_lookup(uintptr_t pc, uintptr_t *offset)
{
	if ((const char *)__ksyms_start == __ksyms_end || pc < (uintptr_t)__image_start ||
	    pc >= (uintptr_t)__text_end)
		return 0;
	uint64_t count = __ksyms_start[0];
	const struct ksym *table = (const struct ksym *)&__ksyms_start[1];
	uint64_t lo = 0, hi = count;  /* find the last entry with addr <= pc */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (table[mid].addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if (count == 0 || table[lo].addr > pc)
		return 0;
	*offset = pc - table[lo].addr;
	return table[lo].name;
}
