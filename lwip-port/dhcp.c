/* DHCP on lwIP: the state machine of dhcp_client.c driven by one UDP pcb
 * on port 68 (for every interface) and one lwIP timer per interface. All
 * of it runs with lwIP's core lock held: the pcb's receive callback and
 * the timers run in lwIP's threads, dhcp_begin is called with the lock. */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/random.h"
#include "lwip-port/dhcp.h"
#include "lwip-port/dhcp_client.h"
#include "lwip/dns.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define TIMER_MAX_MS (3600u * 1000u)    /* lwIP's timers take 32 bits of ms */

struct port {
	struct dhcp_client client;
	struct netif *netif;
	bool set_dns;
};

static struct port ports[NETDEV_MAX];
static struct udp_pcb *pcb;

static uint64_t now_ms(void)
{
	return arch_monotonic_ns() / 1000000ull;
}

static void ip4_host(ip_addr_t *out, uint32_t host_order)
{
	ip_addr_set_ip4_u32_val(*out, lwip_htonl(host_order));
}

static void on_timer(void *arg);

/* Re-arms the interface's timer for when its client next needs to run. */
static void arm(struct port *p)
{
	sys_untimeout(on_timer, p);
	if (p->client.next == DHCP_NEVER)
		return;
	uint64_t now = now_ms(), wait = p->client.next > now ? p->client.next - now : 0;
	sys_timeout((u32_t)(wait < TIMER_MAX_MS ? wait : TIMER_MAX_MS), on_timer, p);
}

static void on_timer(void *arg)
{
	struct port *p = arg;
	dhcp_client_tick(&p->client, now_ms());
	arm(p);
}

static void send_message(struct dhcp_client *c, const uint8_t *msg, size_t len, uint32_t from, uint32_t to)
{
	struct port *p = c->ctx;
	struct pbuf *q = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (!q)
		return;         /* a retransmission will try again */
	pbuf_take(q, msg, (u16_t)len);
	ip_addr_t dst, src;
	ip4_host(&dst, to);
	ip4_host(&src, from);
	udp_sendto_if_src(pcb, q, &dst, DHCP_SERVER_PORT, p->netif, &src);
	pbuf_free(q);
}

static void take_lease(struct dhcp_client *c, const struct dhcp_lease *l)
{
	struct port *p = c->ctx;
	ip4_addr_t a, m, g;
	ip4_addr_set_u32(&a, lwip_htonl(l->address));
	ip4_addr_set_u32(&m, lwip_htonl(l->netmask));
	ip4_addr_set_u32(&g, lwip_htonl(l->gateway));
	netif_set_addr(p->netif, &a, &m, &g);   /* lwIP announces it (gratuitous ARP) */
	for (int i = 0; p->set_dns && i < 2; i++) {
		ip_addr_t server;
		ip4_host(&server, l->dns[i]);   /* 0: none (a server the last lease named goes) */
		dns_setserver((u8_t)i, &server);
	}
}

static void drop_lease(struct dhcp_client *c)
{
	struct port *p = c->ctx;
	netif_set_addr(p->netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
}

static const struct dhcp_actions actions = { send_message, take_lease, drop_lease };

static void on_message(void *arg, struct udp_pcb *upcb, struct pbuf *q, const ip_addr_t *from, u16_t port)
{
	(void)arg, (void)upcb, (void)from, (void)port;
	struct netif *netif = ip_current_input_netif();
	struct port *p = netif && netif->num < NETDEV_MAX ? &ports[netif->num] : NULL;
	if (p && p->netif == netif && q->tot_len <= DHCP_MESSAGE_MAX) {
		uint8_t msg[DHCP_MESSAGE_MAX];
		u16_t len = pbuf_copy_partial(q, msg, q->tot_len, 0);
		dhcp_client_input(&p->client, msg, len, now_ms());
		arm(p);
	}
	pbuf_free(q);
}

int dhcp_begin(struct netif *netif, const char *hostname, bool set_dns)
{
	if (netif->num >= NETDEV_MAX)
		return -EINVAL;
	if (!pcb) {
		pcb = udp_new();
		if (!pcb)
			return -ENOMEM;
		if (udp_bind(pcb, IP4_ADDR_ANY, DHCP_CLIENT_PORT) != ERR_OK) {
			udp_remove(pcb);
			pcb = NULL;
			return -EADDRINUSE;
		}
		udp_recv(pcb, on_message, NULL);
	}
	struct port *p = &ports[netif->num];
	memset(p, 0, sizeof(*p));
	p->netif = netif;
	p->set_dns = set_dns;
	p->client.act = &actions;
	p->client.ctx = p;
	memcpy(p->client.mac, netif->hwaddr, 6);
	if (hostname)
		strncpy(p->client.hostname, hostname, DHCP_HOSTNAME_MAX);
	dhcp_client_start(&p->client, (uint32_t)random64(), now_ms());
	arm(p);
	return 0;
}
