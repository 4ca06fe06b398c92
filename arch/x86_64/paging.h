#ifndef SKIFF_ARCH_X86_64_PAGING_H
#define SKIFF_ARCH_X86_64_PAGING_H

#include <stdint.h>

struct bootinfo;

/* Builds and loads the final page tables (needs the page allocator). */
void x86_paging_init(const struct bootinfo *bi);

#endif
