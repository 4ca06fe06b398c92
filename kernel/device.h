/* Buses and drivers: the device layer.
 *
 * A bus (virtio over PCI and MMIO today) and a driver each declare
 * themselves with BUS_REGISTER / DRIVER_REGISTER: the linker gathers the
 * declarations into the sections skiff_buses and skiff_drivers, so the
 * kernel keeps no list of them. A driver is in the image only when
 * something names it with DRIVER_REQUIRE (the network start-up names the
 * NIC drivers): drivers live in an archive, whose members are linked only
 * when referenced, so an app without sockets or disks carries no driver and
 * no bus code at all.
 *
 * kernel_main calls device_probe_all() once, before the subsystems start:
 * each bus enumerates its devices and hands each to device_offer(), which
 * finds the driver of that bus and device type and probes it. A probe that
 * fails undoes what it set up before returning its error (0 or -errno),
 * which is reported naming the device; a device with no driver is noted at
 * loglevel debug. Subsystems (network, storage) then take the devices
 * their drivers registered with them (drivers/net/netdev.h...).
 */
#ifndef SKIFF_KERNEL_DEVICE_H
#define SKIFF_KERNEL_DEVICE_H

#include <stdint.h>

enum device_bus {
	BUS_VIRTIO = 1,         /* device: struct virtio_device (drivers/virtio) */
};

struct bus {
	const char *name;
	void (*scan)(void);     /* calls device_offer() for each device found */
};

struct driver {
	const char *name;       /* "virtio-net" */
	enum device_bus bus;
	uint32_t type;          /* the bus's device type (virtio: device id) */
	int (*probe)(void *device);
};

#define DEVICE_SECTION_ENTRY(sec, type, var) \
	static const type *const var##_entry __attribute__((used, section(sec), aligned(8))) = &var

/* A bus's entry is kept by the linker only while a function that says
 * BUS_USE(var) is: the bus comes with the first driver that probes on it,
 * and an image without drivers carries no bus code. */
#define BUS_REGISTER(var) \
	const struct bus *const var##_entry __attribute__((used, section("skiff_buses"), aligned(8))) = &var
#define BUS_USE(var) DEVICE_KEEP(var##_entry)
#define DRIVER_REGISTER(var) DEVICE_SECTION_ENTRY("skiff_drivers", struct driver, var)
/* In code that needs the driver `var` (a struct driver defined with
 * DRIVER_REGISTER elsewhere): links it into the image. For code in an
 * archive that is itself linked only when used (lwip-port/, in libnet.a). */
#define DRIVER_REQUIRE(var) \
	extern const struct driver var; \
	static const struct driver *const var##_required __attribute__((used)) = &var

/* For a driver that code linked as objects needs (fs/ is: the linker's
 * garbage collection, not archive membership, leaves out what an app does
 * not call). Its entry goes to a section the linker keeps only while a
 * function that says DRIVER_USE(var) is in the image: the 9p file
 * system's mount code names virtio-9p, so hello, which mounts nothing,
 * carries neither. */
#define DRIVER_REGISTER_ON_USE(var) \
	const struct driver *const var##_entry __attribute__((used, section("skiff_drivers_on_use"), aligned(8))) = &var
#define DRIVER_USE(var) \
	do { \
		extern const struct driver *const var##_entry; \
		DEVICE_KEEP(var##_entry); \
	} while (0)
/* A reference from the code around it to `sym` that no optimisation
 * removes and that costs nothing at run time: the linker keeps sym's
 * section exactly as long as that code. */
#define DEVICE_KEEP(sym) __asm__ volatile("" : : "r"(&(sym)))

/* Scans every bus linked into the image, once. */
void device_probe_all(void);
/* For a bus's scan: hands `device` (named `name` in messages) to the
 * driver of (bus, type); returns the probe's result, -ENODEV without one. */
int device_offer(enum device_bus bus, uint32_t type, void *device, const char *name);

/* The registration tables (the linker script's, or a test's). */
struct device_tables {
	const struct bus *const *buses, *const *buses_end;
	const struct driver *const *drivers, *const *drivers_end;
};
/* For tests: replaces the tables the linker made. */
void device_set_tables(const struct device_tables *t);

#endif
