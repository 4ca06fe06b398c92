/* The list of 9P transports, by mount tag (see p9dev.h). */
#include <errno.h>
#include <string.h>

#include "drivers/9p/p9dev.h"

static struct p9dev *devices[P9DEV_MAX];
static int count;

int p9dev_register(struct p9dev *d)
{
	if (p9dev_find(d->tag))
		return -EEXIST;
	if (count == P9DEV_MAX)
		return -ENOSPC;
	devices[count] = d;
	return count++;
}

int p9dev_count(void) { return count; }

struct p9dev *p9dev_get(int index)
{
	return index >= 0 && index < count ? devices[index] : 0;
}

struct p9dev *p9dev_find(const char *tag)
{
	for (int i = 0; i < count; i++)
		if (strcmp(devices[i]->tag, tag) == 0)
			return devices[i];
	return 0;
}

void p9dev_list(char *buf, size_t size)
{
	size_t at = 0;
	if (size)
		buf[0] = '\0';
	for (int i = 0; i < count; i++) {
		size_t n = strlen(devices[i]->tag);
		if (at + n + 2 > size)
			break;
		if (at)
			buf[at++] = ' ';
		memcpy(buf + at, devices[i]->tag, n + 1);
		at += n;
	}
}
