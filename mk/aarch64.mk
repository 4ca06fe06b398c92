# aarch64 guest toolchain: Debian's cross compiler in freestanding mode.
# No libgcc is linked, so atomics must be inline (gcc 12 defaults to calling
# libgcc's outline helpers on aarch64-linux-gnu).
CC := aarch64-linux-gnu-gcc
# gcc-ar: ar with the LTO plugin, so the archive's index lists LTO objects.
AR := aarch64-linux-gnu-gcc-ar
NM := aarch64-linux-gnu-nm
READELF := aarch64-linux-gnu-readelf
OBJCOPY := aarch64-linux-gnu-objcopy
ARCH_CFLAGS := -march=armv8-a -mcmodel=small -mno-outline-atomics
ARCH_KERNEL_CFLAGS := -mgeneral-regs-only
# Besides APP.elf, APP.img: the same image flat, with its arm64 Image header
# first, for QEMU's Linux-style boot (the only one that loads -initrd).
ARCH_IMAGES := img
