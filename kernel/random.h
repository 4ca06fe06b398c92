/* Random numbers for the kernel and apps.
 *
 * The CPU's generator (arch_hw_random64: RDRAND, RNDR) is the only source
 * fit for keys. Without one there is nothing in a fresh VM to stand in for
 * it: the cycle counter's jitter under an emulator is tens of bits at most.
 * So the two calls differ in what they promise:
 *   random64()     any bits will do (DHCP transaction ids, a MAC address,
 *                  lwIP's port choice); never says anything;
 *   random_fill()  bytes that must not be guessed (getentropy, WASI
 *                  random_get, the TCP sequence-number key). Without the
 *                  CPU's generator they are the cycle counter's stream, and
 *                  the console gets one warning saying so, since an app
 *                  cannot tell from the bytes. */
#ifndef SKIFF_KERNEL_RANDOM_H
#define SKIFF_KERNEL_RANDOM_H

#include <stddef.h>
#include <stdint.h>

uint64_t random64(void);
void random_fill(void *buf, size_t len);

#endif
