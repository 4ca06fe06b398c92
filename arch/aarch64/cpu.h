/* aarch64 system-register access and small CPU helpers (arch-internal). */
#ifndef SKIFF_ARCH_AARCH64_CPU_H
#define SKIFF_ARCH_AARCH64_CPU_H

#include <stdint.h>

#define read_sysreg(reg) ({ \
	uint64_t v_; \
	__asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
	v_; \
})
#define write_sysreg(reg, v) __asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)) : "memory")

static inline void isb(void) { __asm__ volatile("isb" : : : "memory"); }
static inline void dsb_sy(void) { __asm__ volatile("dsb sy" : : : "memory"); }
static inline void dsb_ishst(void) { __asm__ volatile("dsb ishst" : : : "memory"); }

/* Device registers are read and written with single, non-merged accesses. */
static inline uint32_t mmio_read32(uintptr_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write32(uintptr_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
static inline uint64_t mmio_read64(uintptr_t addr) { return *(volatile uint64_t *)addr; }
static inline void mmio_write64(uintptr_t addr, uint64_t v) { *(volatile uint64_t *)addr = v; }

#endif
