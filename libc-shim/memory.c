/* sbrk for picolibc's malloc, over the kernel's heap range. */
#include <stdint.h>
#include <unistd.h>

#include "kernel/mm.h"

void *sbrk(ptrdiff_t increment)
{
	return heap_grow(increment);
}
