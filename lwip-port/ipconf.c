/* Parser for the ip= option (see ipconf.h). */
#include <errno.h>
#include <string.h>

#include "lwip-port/ipconf.h"

int ipconf_parse_ipv4(const char *text, uint32_t *out)
{
	uint32_t value = 0;
	const char *p = text;
	for (int part = 0; part < 4; part++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		unsigned byte = 0, digits = 0;
		while (*p >= '0' && *p <= '9') {
			byte = byte * 10 + (unsigned)(*p++ - '0');
			if (++digits > 3 || byte > 255)
				return -EINVAL;
		}
		value = value << 8 | byte;
		if (part < 3 && *p++ != '.')
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	*out = value;
	return 0;
}

/* Copies field `index` (colon-separated) of `text` into buf. */
static void field(const char *text, int index, char *buf, size_t size)
{
	for (int i = 0; i < index && text; i++) {
		text = strchr(text, ':');
		if (text)
			text++;
	}
	size_t n = 0;
	while (text && text[n] && text[n] != ':' && n + 1 < size) {
		buf[n] = text[n];
		n++;
	}
	buf[n] = '\0';
}

static int parse_netmask(const char *text, uint32_t *out)
{
	if (strchr(text, '.'))
		return ipconf_parse_ipv4(text, out);
	unsigned bits = 0, digits = 0;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || ++digits > 2)
			return -EINVAL;
		bits = bits * 10 + (unsigned)(*p - '0');
	}
	if (digits == 0 || bits > 32)
		return -EINVAL;
	*out = bits ? ~0u << (32 - bits) : 0;
	return 0;
}

int ipconf_parse(const char *text, struct ipconf *out, const char **why)
{
	char buf[64];
	memset(out, 0, sizeof(*out));
	if (strcmp(text, "dhcp") == 0 || strcmp(text, "on") == 0 || strcmp(text, "any") == 0) {
		out->dhcp = true;
		return 0;
	}
	field(text, 0, buf, sizeof(buf));
	if (ipconf_parse_ipv4(buf, &out->address) != 0) {
		*why = "client address";
		return -EINVAL;
	}
	field(text, 2, buf, sizeof(buf));
	if (buf[0] && ipconf_parse_ipv4(buf, &out->gateway) != 0) {
		*why = "gateway";
		return -EINVAL;
	}
	field(text, 3, buf, sizeof(buf));
	if (!buf[0]) {
		out->netmask = 0xFFFFFF00u;     /* Linux picks by class; /24 is what users mean */
	} else if (parse_netmask(buf, &out->netmask) != 0) {
		*why = "netmask";
		return -EINVAL;
	}
	field(text, 4, out->hostname, sizeof(out->hostname));
	field(text, 6, buf, sizeof(buf));
	if (strcmp(buf, "dhcp") == 0)
		out->dhcp = true;
	return 0;
}
