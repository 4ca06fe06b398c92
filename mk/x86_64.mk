# x86_64 guest toolchain: the host's gcc in freestanding mode.
CC := gcc
# gcc-ar: ar with the LTO plugin, so the archive's index lists LTO objects.
AR := gcc-ar
NM := nm
READELF := readelf
ARCH_CFLAGS := -m64 -march=x86-64 -mno-red-zone -mcmodel=small
ARCH_KERNEL_CFLAGS := -mgeneral-regs-only
