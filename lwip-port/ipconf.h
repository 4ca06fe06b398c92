/* The `ip=` kernel option, in the Linux kernel's syntax:
 *   ip=dhcp
 *   ip=<client>::<gateway>:<netmask>[:<hostname>[:<device>[:<autoconf>]]]
 * (the second field, the boot server, is ignored; netmask may also be a
 * prefix length like 24). Pure logic, host-tested. Addresses are in host
 * byte order. */
#ifndef SKIFF_LWIP_PORT_IPCONF_H
#define SKIFF_LWIP_PORT_IPCONF_H

#include <stdbool.h>
#include <stdint.h>

struct ipconf {
	bool dhcp;
	uint32_t address, gateway, netmask;
	char hostname[64];
};

/* Returns 0, or -EINVAL with `*why` naming the bad field. */
int ipconf_parse(const char *text, struct ipconf *out, const char **why);
/* Parses dotted-quad IPv4 text; returns 0 or -EINVAL. */
int ipconf_parse_ipv4(const char *text, uint32_t *out);

#endif
