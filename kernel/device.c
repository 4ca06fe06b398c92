/* The device layer (device.h): probing the buses the linker gathered and
 * handing their devices to the drivers it gathered. */
#include <errno.h>
#include <stddef.h>

#include "kernel/device.h"
#include "kernel/log.h"

extern const struct bus *const __buses_start[], *const __buses_end[];
extern const struct driver *const __drivers_start[], *const __drivers_end[];

static struct device_tables tables = {
	__buses_start, __buses_end, __drivers_start, __drivers_end,
};

void device_set_tables(const struct device_tables *t) { tables = *t; }

static const struct driver *driver_for(enum device_bus bus, uint32_t type)
{
	for (const struct driver *const *d = tables.drivers; d < tables.drivers_end; d++)
		if ((*d)->bus == bus && (*d)->type == type)
			return *d;
	return NULL;
}

int device_offer(enum device_bus bus, uint32_t type, void *device, const char *name)
{
	const struct driver *drv = driver_for(bus, type);

	if (!drv) {
		log_debug("skiff: %s: no driver for device type %u in this image\n", name, (unsigned)type);
		return -ENODEV;
	}
	int err = drv->probe(device);
	if (err)
		log_err("skiff: %s: %s driver failed (error %d); device not used\n", name, drv->name, err);
	return err;
}

void device_probe_all(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	for (const struct bus *const *b = tables.buses; b < tables.buses_end; b++)
		(*b)->scan();
}
