/* A DHCP client (RFC 2131) for one interface, as a state machine that does
 * no I/O of its own: lwip-port/dhcp.c feeds it the replies that arrive and
 * the time, and carries out what it asks (send this message, take this
 * lease, drop the address). So it runs, renewals and all, in host unit
 * tests against a scripted server (test/unit/test_dhcp.c).
 *
 * Why not lwIP's DHCP client: its code is about 190 of the blocks QEMU's
 * TCG translates before a server's first answer with DHCP, against about
 * 110 here with its glue (bench/http/blocks), and it does more than skiff
 * needs (ARP probing, AutoIP, NTP, many options).
 *
 * Addresses are IPv4 in host byte order; 0 means none. Times are
 * milliseconds on any monotonic clock.
 */
#ifndef SKIFF_LWIP_PORT_DHCP_CLIENT_H
#define SKIFF_LWIP_PORT_DHCP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_MESSAGE_MAX 576           /* what we accept and what we build into */
#define DHCP_HOSTNAME_MAX 63
#define DHCP_NEVER UINT64_MAX
#define DHCP_BROADCAST 0xFFFFFFFFu

struct dhcp_lease {
	uint32_t address, netmask, gateway, server;
	uint32_t dns[2];
	uint32_t lease_s, renew_s, rebind_s;    /* 0xFFFFFFFF: for ever */
};

enum dhcp_state {
	DHCP_SELECTING,         /* DISCOVER sent, waiting for an offer */
	DHCP_REQUESTING,        /* REQUEST for an offer sent */
	DHCP_BOUND,
	DHCP_RENEWING,          /* past T1: asking the server that leased it */
	DHCP_REBINDING,         /* past T2: asking any server */
};

struct dhcp_client;
struct dhcp_actions {
	/* Send `msg` to `to` (DHCP_BROADCAST, or the leasing server) from
	 * `from` (0 before there is an address). */
	void (*send)(struct dhcp_client *c, const uint8_t *msg, size_t len, uint32_t from, uint32_t to);
	void (*bound)(struct dhcp_client *c, const struct dhcp_lease *lease);  /* new or renewed */
	void (*lost)(struct dhcp_client *c);    /* the address must go */
};

struct dhcp_client {
	const struct dhcp_actions *act;
	void *ctx;                      /* the caller's */
	uint8_t mac[6];
	char hostname[DHCP_HOSTNAME_MAX + 1];
	enum dhcp_state state;
	uint32_t xid;
	unsigned tries;                 /* sends in this state */
	struct dhcp_lease offer, lease;
	uint64_t bound_at;              /* when the lease began */
	uint64_t next;                  /* when dhcp_client_tick wants to run */
};

/* Starts from nothing (SELECTING) and sends the first DISCOVER. `xid`
 * seeds the transaction ids (any value; random is best). */
void dhcp_client_start(struct dhcp_client *c, uint32_t xid, uint64_t now);
/* A message that came to the client port; anything that is not a valid
 * reply to this client's transaction is ignored. */
void dhcp_client_input(struct dhcp_client *c, const uint8_t *msg, size_t len, uint64_t now);
/* Retransmissions and lease times: call at (or after) c->next. */
void dhcp_client_tick(struct dhcp_client *c, uint64_t now);

/* The message codec, exposed for the tests. */
enum dhcp_type { DHCP_DISCOVER = 1, DHCP_OFFER, DHCP_REQUEST, DHCP_DECLINE, DHCP_ACK, DHCP_NAK, DHCP_RELEASE };
struct dhcp_reply {
	int type;
	uint32_t xid, yiaddr;
	int has_lease_time;             /* option 51 was there */
	struct dhcp_lease lease;        /* address = yiaddr; the options it had */
};
/* Parses a server's reply (BOOTREPLY for `mac`): 0, or -1 when it is not
 * one or is malformed. */
int dhcp_parse(const uint8_t *msg, size_t len, const uint8_t mac[6], struct dhcp_reply *out);

#endif
