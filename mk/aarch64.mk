# aarch64 guest toolchain: Debian's cross compiler in freestanding mode.
# No libgcc is linked, so atomics must be inline (gcc 12 defaults to calling
# libgcc's outline helpers on aarch64-linux-gnu).
CC := aarch64-linux-gnu-gcc
LD := aarch64-linux-gnu-ld
AR := aarch64-linux-gnu-ar
NM := aarch64-linux-gnu-nm
READELF := aarch64-linux-gnu-readelf
ARCH_CFLAGS := -march=armv8-a -mcmodel=small -mno-outline-atomics
ARCH_KERNEL_CFLAGS := -mgeneral-regs-only
