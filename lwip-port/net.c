/* net_start (see net.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/net/netdev.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/device.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "lwip-port/dhcp.h"
#include "lwip-port/ipconf.h"
#include "lwip-port/net.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/netifapi.h"
#include "lwip/tcpip.h"

#define DHCP_WAIT_NS (5ull * 1000000000ull)

static struct netif netifs[NETDEV_MAX];
static struct ipconf confs[NETDEV_MAX];

static void ip4(ip4_addr_t *out, uint32_t host_order) { ip4_addr_set_u32(out, lwip_htonl(host_order)); }

/* Raised by lwIP (tcpip thread) whenever an interface's address changes,
 * so wait_for_leases ends the moment a lease arrives. */
static struct semaphore address_changed;

/* Asks for the gateway's MAC as soon as there is an address to ask from
 * (lwIP announces the address itself, with a gratuitous ARP right after
 * this callback in netif_set_up or on taking a lease). Under QEMU's user
 * networking every connection comes from the gateway, and this takes the
 * ARP round trip and lwIP's queueing of the frame that waits for it out of
 * the first answer. */
static void resolve_gateway(struct netif *netif)
{
	if (!ip4_addr_isany_val(*netif_ip4_addr(netif)) && !ip4_addr_isany_val(*netif_ip4_gw(netif)))
		etharp_request(netif, netif_ip4_gw(netif));
}

/* The address the console last gave for each interface (host order, 0
 * for none), and whether the boot's own description is out: after it, a
 * lease that ends or comes back with another address is reported, since
 * whoever reaches the guest must be told. */
static uint32_t shown_address[NETDEV_MAX];
static bool described;

static uint32_t address_of(struct netif *netif) { return lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(netif))); }

/* An interface's address, netmask and gateway as the console gives them. */
struct addresses_text {
	char address[16], netmask[16], gateway[16];
};

static void addresses_text(struct netif *netif, struct addresses_text *t)
{
	ip4addr_ntoa_r(netif_ip4_addr(netif), t->address, sizeof(t->address));
	ip4addr_ntoa_r(netif_ip4_netmask(netif), t->netmask, sizeof(t->netmask));
	ip4addr_ntoa_r(netif_ip4_gw(netif), t->gateway, sizeof(t->gateway));
}

static void report_change(struct netif *netif)
{
	uint32_t now = address_of(netif);
	if (!described || netif->num >= NETDEV_MAX || now == shown_address[netif->num])
		return;
	struct addresses_text t;
	addresses_text(netif, &t);
	if (now)
		log_warn("skiff: warning: en%d: new address %s netmask %s gateway %s (dhcp)\n", netif->num,
			 t.address, t.netmask, t.gateway);
	else
		log_warn("skiff: warning: en%d: its address is gone (its DHCP lease ended or was refused)\n",
			 netif->num);
	shown_address[netif->num] = now;
}

static void status_changed(struct netif *netif)
{
	resolve_gateway(netif);
	report_change(netif);
	sem_up(&address_changed);
}

/* The DNS servers a lease names are used unless dns= gave a valid one. */
static void configure(int i, const struct cmdline *cl)
{
	const char *why = "";
	confs[i].dhcp = true;
	if (i < cl->net_count && ipconf_parse(cl->net[i], &confs[i], &why) != 0) {
		log_warn("skiff: warning: ip=%s: bad %s; using DHCP on en%d\n", cl->net[i], why, i);
		confs[i].dhcp = true;
	}
	struct netdev *nd = netdev_get(i);
	ip4_addr_t addr, mask, gw;
	ip4(&addr, confs[i].dhcp ? 0 : confs[i].address);
	ip4(&mask, confs[i].dhcp ? 0 : confs[i].netmask);
	ip4(&gw, confs[i].dhcp ? 0 : confs[i].gateway);
	LOCK_TCPIP_CORE();
	netif_add(&netifs[i], &addr, &mask, &gw, nd, skiff_netif_init, tcpip_input);
	netifs[i].num = (u8_t)i;
	netif_set_status_callback(&netifs[i], status_changed);
	if (confs[i].hostname[0])
		netif_set_hostname(&netifs[i], confs[i].hostname);
	if (i == 0)
		netif_set_default(&netifs[i]);
	netif_set_up(&netifs[i]);       /* a static address is announced and resolve_gateway runs */
	uint32_t given_dns;
	bool lease_dns = !cl->dns || ipconf_parse_ipv4(cl->dns, &given_dns) != 0;
	int err = confs[i].dhcp ? dhcp_begin(&netifs[i], confs[i].hostname, lease_dns) : 0;
	UNLOCK_TCPIP_CORE();
	if (err)
		log_warn("skiff: warning: en%d: cannot start DHCP (error %d)\n", i, err);
}

static bool has_address(int i)
{
	return !ip4_addr_isany_val(*netif_ip4_addr(&netifs[i]));
}

static void wait_for_leases(int count)
{
	uint64_t deadline = arch_monotonic_ns() + DHCP_WAIT_NS;
	for (;;) {
		bool waiting = false;
		for (int i = 0; i < count; i++)
			waiting |= confs[i].dhcp && !has_address(i);
		if (!waiting || sem_down_until(&address_changed, deadline) == -ETIMEDOUT)
			break;
	}
	for (int i = 0; i < count; i++)
		if (confs[i].dhcp && !has_address(i))
			log_warn("skiff: warning: en%d: no DHCP lease after %llu s; it has no address\n", i,
				 (unsigned long long)(DHCP_WAIT_NS / 1000000000ull));
}

static void set_dns(const struct cmdline *cl)
{
	uint32_t server;
	if (!cl->dns)
		return;
	if (ipconf_parse_ipv4(cl->dns, &server) != 0) {
		log_warn("skiff: warning: dns=%s is not an IPv4 address, ignored\n", cl->dns);
		return;
	}
	ip_addr_t addr;
	ip4(ip_2_ip4(&addr), server);
	IP_SET_TYPE_VAL(addr, IPADDR_TYPE_V4);
	LOCK_TCPIP_CORE();
	dns_setserver(0, &addr);
	UNLOCK_TCPIP_CORE();
}

void net_describe(void)
{
	for (int i = 0; i < netdev_count() && i < NETDEV_MAX; i++)
		shown_address[i] = address_of(&netifs[i]);
	described = true;
	/* A quiet boot formats nothing: the formatter's first run is costly
	 * under TCG (kernel/log.h). */
	if (log_threshold < LOG_INFO)
		return;
	for (int i = 0; i < netdev_count(); i++) {
		struct addresses_text t;
		addresses_text(&netifs[i], &t);
		struct netdev *nd = netdev_get(i);
		log_info("skiff: en%d (%s): %s netmask %s gateway %s (%s)\n", i, nd->name, t.address, t.netmask,
			 t.gateway, confs[i].dhcp ? "dhcp" : "static");
		log_debug("skiff: en%d: %llu frames in (%llu dropped), %llu out (%llu dropped)\n", i,
			  (unsigned long long)nd->rx_frames, (unsigned long long)nd->rx_dropped,
			  (unsigned long long)nd->tx_frames, (unsigned long long)nd->tx_dropped);
	}
}

static void tcpip_ready(void *arg)
{
	sem_up(arg);
}

/* The NIC drivers this network stack takes its devices from: naming them
 * links them in (kernel/device.h); kernel_main has probed them by now. */
DRIVER_REQUIRE(virtio_net_driver);

void net_start(const struct cmdline *cl)
{
	int count = netdev_count();
	if (count == 0) {
		if (cl->net_count)
			log_warn("skiff: warning: ip= given but there is no network device\n");
		return;
	}
	if (cl->net_count > count)
		log_warn("skiff: warning: %d ip= options for %d network devices\n", cl->net_count, count);
	struct semaphore ready = { 0, WAITQ_INIT };
	tcpip_init(tcpip_ready, &ready);
	sem_down_until(&ready, DEADLINE_NONE);
	for (int i = 0; i < count; i++)
		configure(i, cl);
	set_dns(cl);
	wait_for_leases(count);
	net_describe();
}
