# Guest images: one ELF per app, linking boot + arch + kernel + fs + libc-shim
# with picolibc (built by tools/setup into deps/) and the app's own sources.
#   make ARCH=x86_64            every app under apps/ and test/guest/apps/
#   make ARCH=x86_64 hello      one app -> build/x86_64/hello.elf
# Host tools and tests use CMake instead (see CMakeLists.txt, `skiff test`).
ARCH ?= x86_64
O := build/$(ARCH)
PICOLIBC := deps/$(ARCH)/picolibc
LWIP := deps/src/lwip-2.2.1/src

include mk/$(ARCH).mk

GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

# POSIX options skiff supports; picolibc's headers only declare the clocks
# they name (CLOCK_MONOTONIC...) when these are defined, as on Linux.
POSIX_OPTIONS := -D_POSIX_THREADS=200809L -D_POSIX_MONOTONIC_CLOCK=200112L -D_POSIX_CPUTIME=1 -D_POSIX_THREAD_CPUTIME=1 -DFD_SETSIZE=1024

# Everything is built without a red zone: interrupts arrive on the current
# stack (docs/ARCHITECTURE.md). Frame pointers keep backtraces cheap.
CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-ffunction-sections -fdata-sections \
	-Wall -Wextra -Werror \
	-nostdinc -isystem libc-shim/include -isystem $(PICOLIBC)/include -isystem $(GCC_INCLUDE) \
	-I. -Iarch/$(ARCH) -Ilwip-port/include -I$(LWIP)/include $(ARCH_CFLAGS) -MMD -MP $(POSIX_OPTIONS)
# Kernel code may run in interrupt context: no FP/SIMD registers there.
KERNEL_CFLAGS := $(CFLAGS) -Os $(ARCH_KERNEL_CFLAGS)
kernel_side = $(filter kernel/% arch/% boot/% drivers/%,$(1))
# Link-time optimisation for everything but the kernel side. Under TCG each
# basic block the guest runs for the first time costs a translation
# (bench/http/blocks), and every call that is not inlined adds two: the
# callee's and the caller's return point. LTO inlines lwIP's small cross-file
# calls (pbuf, netif, ip4, api_msg...), libc-shim's and the app's: about 360
# fewer blocks, some 3 ms, before httpd's first response. kernel/ arch/ boot/ drivers/ stay out of it:
# they run in interrupt context built with -mgeneral-regs-only, and keeping
# them out of LTO keeps that true by construction. So does libc-shim/start.c,
# which calls main() with three arguments as crt0 does, whatever main declares.
LTO := -flto
no_lto = $(call kernel_side,$(1))$(filter libc-shim/start.c,$(1))
# The link goes through the compiler driver, which runs LTO's code generation.
# Its maybe-uninitialized warnings, made across inlined files, are false
# alarms (an out-parameter set on every path that returns success); each
# file's own compile still reports them as errors.
LDFLAGS := $(CFLAGS) -Wno-maybe-uninitialized -flto=auto -no-pie -nostdlib -static -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--gc-sections -T arch/$(ARCH)/kernel.ld

KERNEL_SRCS := $(wildcard boot/$(ARCH)/*.c boot/$(ARCH)/*.S arch/$(ARCH)/*.c arch/$(ARCH)/*.S kernel/*.c)
# The file system: the VFS, tmpfs, the initrd as root, disks and shares
# (fs/), and libc-shim's file calls over it, in an archive of their own so
# that an app that opens no file links none of it, nor the disk drivers the
# storage layer names (an object always linked would pull every archive
# member it refers to, even if --gc-sections then drops the object).
# fs/boot.c, which kernel_main calls, stays apart.
FS_SRCS := $(filter-out fs/boot.c,$(wildcard fs/*.c)) \
	$(addprefix libc-shim/,files.c names.c dirs.c attrs.c fsinfo.c)
FS_LIB := $(O)/libfs.a
LIB_SRCS := $(filter-out $(FS_SRCS),$(wildcard fs/*.c libc-shim/*.c))

# The network stack: lwIP (from deps/, built as it is), its port and the NIC
# drivers, and libc-shim's socket calls, in an archive that is only pulled
# in when the app uses sockets (kernel_main's reference to net_start is weak;
# libc-shim/net/socket.c's is strong).
LWIP_SRCS := $(addprefix $(LWIP)/core/,init.c def.c dns.c inet_chksum.c ip.c mem.c memp.c \
		netif.c pbuf.c raw.c stats.c sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
	$(addprefix $(LWIP)/core/ipv4/,etharp.c icmp.c igmp.c ip4.c \
		ip4_addr.c ip4_frag.c) \
	$(addprefix $(LWIP)/api/,netifapi.c tcpip.c) \
	$(LWIP)/netif/ethernet.c
# libc-shim/net (sockets, netdb) is there too: socket() pulls it all in.
NET_SRCS := $(LWIP_SRCS) $(wildcard lwip-port/*.c libc-shim/net/*.c)
NET_LIB := $(O)/libnet.a
# Drivers and buses (kernel/device.h), in an archive of their own after
# the others: a driver is linked only when something names it
# (DRIVER_REQUIRE), and the bus code only with a driver that uses it.
DRIVER_SRCS := $(wildcard drivers/*/*.c)
DRIVER_LIB := $(O)/libdrivers.a
RUNTIME_OBJS := $(patsubst %,$(O)/obj/%.o,$(KERNEL_SRCS) $(LIB_SRCS))
# libext2fs, built from e2fsprogs by tools/setup, behind fs/ext4*.c (in
# libfs.a): fs/storage.c requires the ext4 type, so both come with files.
E2FS_LIB := deps/$(ARCH)/e2fs/lib/libext2fs.a
$(O)/obj/fs/ext4%: CFLAGS += -isystem deps/e2fs/include

# An app directory holding a `.native-only` marker is not (yet) a guest app.
APP_DIRS := $(filter-out $(dir $(wildcard apps/*/.native-only)),$(wildcard apps/*/) $(wildcard test/guest/apps/*/))
APPS := $(foreach d,$(APP_DIRS),$(notdir $(patsubst %/,%,$(d))))
# EXTRA_APP=DIR EXTRA_APP_NAME=ext/NAME-HASH: one app outside the tree
# (`skiff run DIR`), its image named by skiff after the directory's name and
# a hash of its path (two directories of one name never share an image);
# its objects go under build/ARCH/obj/ by absolute path.
ifneq ($(EXTRA_APP),)
APPS += $(EXTRA_APP_NAME)
endif
app_dir = $(if $(and $(EXTRA_APP),$(filter $(1),$(EXTRA_APP_NAME))),$(abspath $(EXTRA_APP)),$(patsubst %/,%,$(filter %/$(1)/,$(APP_DIRS))))
app_objs = $(patsubst %,$(O)/obj/%.o,$(wildcard $(call app_dir,$(1))/*.c))

HOST_CC ?= cc
QEMU_PRELOAD := build/qemu/listen-backlog.so

.PHONY: all $(APPS)
all: $(foreach a,$(APPS),$(O)/$(a).elf $(foreach x,$(ARCH_IMAGES),$(O)/$(a).$(x))) $(QEMU_PRELOAD)
$(APPS): %: $(O)/%.elf $(foreach x,$(ARCH_IMAGES),$(O)/%.$(x)) $(QEMU_PRELOAD)

# Host side, whatever ARCH is: the listen() shim qemu/launch preloads into
# QEMU so that port forwards take a burst of connections (the file says why).
# Written under another name and renamed, as several guest tests may run
# make at once.
$(QEMU_PRELOAD): qemu/listen-backlog.c
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -shared -fPIC -o $@.$$$$ $< && mv -f $@.$$$$ $@

# A flat copy of the loaded image (arm64: starts with the Image header).
$(O)/%.img: $(O)/%.elf
	$(OBJCOPY) -O binary $< $@

# PROGRESS=1 (skiff sets it for a first build, which takes a while) names
# each file as it is compiled; otherwise a build prints one line per image.
progress = $(if $(PROGRESS),@echo "skiff: compiling $<" >&2)

$(O)/obj/%.c.o: %.c
	$(progress)
	@mkdir -p $(dir $@)
	$(CC) $(if $(call kernel_side,$<),$(KERNEL_CFLAGS),$(CFLAGS)) \
		$(if $(call no_lto,$<),,$(LTO)) -c $< -o $@

# lwIP is third-party code, compiled unchanged: its warnings are not ours.
$(O)/obj/$(LWIP)/%.c.o: $(LWIP)/%.c
	$(progress)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Werror -Wextra,$(CFLAGS)) $(LTO) -c $< -o $@

$(NET_LIB): $(patsubst %,$(O)/obj/%.o,$(NET_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(DRIVER_LIB): $(patsubst %,$(O)/obj/%.o,$(DRIVER_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(FS_LIB): $(patsubst %,$(O)/obj/%.o,$(FS_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# The runtime's objects are linked as objects, not from an archive, so that
# libc-shim's definitions (sbrk, read, ...) always win over picolibc's
# fallbacks; --gc-sections drops what an app does not use.
# Two links: the first finds the symbols, tools/gen-ksyms turns them into a
# table for backtraces, the second links that table into .ksyms (placed last
# in rodata so no code moves; tools/check-image verifies that and the flat
# file layout multiboot needs).
# The archives form a group: picolibc's members (fopen, tmpfile) call the
# file archive's open and unlink, which is searched again for them.
LINK = $(CC) $(LDFLAGS) -o $(1) $(RUNTIME_OBJS) $(2) -Wl,--start-group $(FS_LIB) $(NET_LIB) $(DRIVER_LIB) \
	$(E2FS_LIB) $(PICOLIBC)/lib/libc.a -Wl,--end-group

# Objects reached only through pattern rules would count as intermediate
# files and be deleted after a fresh build; the next make (each guest test
# runs one, several at once) would then rebuild and relink every image while
# other tests read them. Keep every file make builds.
.SECONDARY:

.SECONDEXPANSION:
$(O)/%.elf: $$(call app_objs,%) $(RUNTIME_OBJS) $(FS_LIB) $(NET_LIB) $(DRIVER_LIB) $(E2FS_LIB) arch/$(ARCH)/kernel.ld tools/gen-ksyms tools/check-image
	@echo "skiff: linking $@" >&2
	@mkdir -p $(dir $@)
	$(call LINK,$(O)/$*.pass1,$(call app_objs,$*))
	tools/gen-ksyms $(NM) $(O)/$*.pass1 > $(O)/$*.ksyms.S
	$(CC) $(KERNEL_CFLAGS) -c $(O)/$*.ksyms.S -o $(O)/$*.ksyms.o
	$(call LINK,$@,$(call app_objs,$*) $(O)/$*.ksyms.o)
	tools/check-image $(NM) $(READELF) $(O)/$*.pass1 $@
	@rm -f $(O)/$*.pass1

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
