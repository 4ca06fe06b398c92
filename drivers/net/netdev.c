/* The list of network interfaces (see netdev.h). */
#include <errno.h>

#include "drivers/net/netdev.h"

static struct netdev *devices[NETDEV_MAX];
static int count;

int netdev_register(struct netdev *nd)
{
	if (count == NETDEV_MAX)
		return -ENOSPC;
	devices[count] = nd;
	return count++;
}

int netdev_count(void) { return count; }

struct netdev *netdev_get(int index)
{
	return index >= 0 && index < count ? devices[index] : 0;
}
