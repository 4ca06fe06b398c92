/* Host unit tests: kernel/thread.h names struct arch_context, which no host
 * test uses. */
#ifndef SKIFF_TEST_HOST_ARCH_CONTEXT_H
#define SKIFF_TEST_HOST_ARCH_CONTEXT_H
struct arch_context {
	unsigned long unused;
};
#endif
