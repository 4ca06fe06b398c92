/* Random numbers from the CPU's generator, or else from the cycle counter
 * with one warning (see random.h). */
#include <stdbool.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/random.h"

static uint64_t stream_state;
static bool warned;

/* splitmix64 with the cycle counter folded into every step: no two calls
 * repeat, but its only unknown is when they were made. */
static uint64_t cycle_stream(void)
{
	uint64_t z = (stream_state += 0x9E3779B97F4A7C15ull) ^ arch_cycles();

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint64_t random64(void)
{
	uint64_t v;

	return arch_hw_random64(&v) ? v : cycle_stream();
}

void random_fill(void *buf, size_t len)
{
	unsigned char *out = buf;

	while (len > 0) {
		uint64_t v;
		if (!arch_hw_random64(&v)) {
			if (!warned)
				log_warn("skiff: warning: the CPU gives no random numbers (no generator, "
				         "or it failed); "
				         "getentropy() and TCP's sequence-number key come from timing "
				         "alone (QEMU: -cpu max, or -cpu host with KVM)\n");
			warned = true;
			v = cycle_stream();
		}
		size_t n = len < sizeof v ? len : sizeof v;
		memcpy(out, &v, n);
		out += n;
		len -= n;
	}
}
