/* Unit tests of kernel/device.c: devices reach the driver of their bus and
 * type, a probe's error comes back (and is logged), a device without a
 * driver is -ENODEV, and device_probe_all scans each bus once. */
#include "kernel/device.h"

#include "check.h"

#include <errno.h>
#include <stdarg.h>

/* The linker's tables do not exist on the host: empty ones, replaced by
 * device_set_tables below. */
const struct bus *const __buses_start[1], *const __buses_end[1];
const struct driver *const __drivers_start[1], *const __drivers_end[1];

static int logged_errors;
void klog(int level, const char *fmt, ...)
{
	if (level <= 3)         /* LOG_ERR */
		logged_errors++;
	(void)fmt;
}

static void *probed_net, *probed_blk;
static int blk_result;

static int probe_net(void *device) { probed_net = device; return 0; }
static int probe_blk(void *device) { probed_blk = device; return blk_result; }

static const struct driver net = { "net", BUS_VIRTIO, 1, probe_net };
static const struct driver blk = { "blk", BUS_VIRTIO, 2, probe_blk };

static int scans;
static int device_a, device_b, device_c;
static void scan(void)
{
	scans++;
	device_offer(BUS_VIRTIO, 1, &device_a, "a");
	device_offer(BUS_VIRTIO, 2, &device_b, "b");
	device_offer(BUS_VIRTIO, 9, &device_c, "c");
}

static const struct bus virtio = { "virtio", scan };
static const struct bus *const buses[] = { &virtio };
static const struct driver *const drivers[] = { &net, &blk };

int main(void)
{
	struct device_tables t = { buses, buses + 1, drivers, drivers + 2 };

	/* Without tables nothing is probed and every offer is -ENODEV. */
	device_set_tables(&(struct device_tables){ buses, buses, drivers, drivers });
	CHECK_INT(device_offer(BUS_VIRTIO, 1, &device_a, "a"), -ENODEV);
	CHECK(probed_net == NULL);

	device_set_tables(&t);
	CHECK_INT(device_offer(BUS_VIRTIO, 1, &device_a, "a"), 0);
	CHECK(probed_net == &device_a);
	CHECK_INT(device_offer(BUS_VIRTIO, 9, &device_c, "c"), -ENODEV);
	CHECK_INT(logged_errors, 0);            /* no driver: debug only */
	blk_result = -EIO;
	CHECK_INT(device_offer(BUS_VIRTIO, 2, &device_b, "b"), -EIO);
	CHECK(probed_blk == &device_b);
	CHECK_INT(logged_errors, 1);            /* a failed probe is reported */

	probed_net = probed_blk = NULL;
	device_probe_all();
	device_probe_all();                     /* once only */
	CHECK_INT(scans, 1);
	CHECK(probed_net == &device_a && probed_blk == &device_b);
	return check_report();
}
