/* DHCP client state machine and message codec (see dhcp_client.h). */
#include <stdbool.h>
#include <string.h>

#include "lwip-port/dhcp_client.h"

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define MAGIC_COOKIE 0x63825363u
#define OPTIONS_AT 240                  /* fixed BOOTP header and the cookie */
#define MESSAGE_MIN 300                 /* BOOTP's minimum; some servers insist */

enum {
	OPT_PAD = 0, OPT_NETMASK = 1, OPT_ROUTER = 3, OPT_DNS = 6, OPT_HOSTNAME = 12,
	OPT_REQUESTED_IP = 50, OPT_LEASE_TIME = 51, OPT_MESSAGE_TYPE = 53, OPT_SERVER_ID = 54,
	OPT_PARAMETERS = 55, OPT_MAX_SIZE = 57, OPT_RENEWAL_TIME = 58, OPT_REBINDING_TIME = 59,
	OPT_END = 255,
};

#define RETRY_FIRST_MS 1000ull          /* then doubling: 1, 2, 4 ... s */
#define RETRY_MAX_MS 64000ull
#define REQUEST_TRIES 4                 /* REQUESTs for an offer before starting over */
#define RENEW_RETRY_MIN_MS 60000ull     /* RFC 2131 4.4.5 */
#define FOREVER 0xFFFFFFFFu
#define LEASE_MIN_S 60                  /* shorter leases are taken as this */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* --- messages ----------------------------------------------------------- */

struct builder {
	uint8_t *p;
	size_t len;
};

static void option(struct builder *b, uint8_t code, const void *data, uint8_t len)
{
	b->p[b->len++] = code;
	b->p[b->len++] = len;
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void option32(struct builder *b, uint8_t code, uint32_t v)
{
	uint8_t be[4];
	put32(be, v);
	option(b, code, be, 4);
}

/* A request of `type`; `ciaddr` set when renewing or rebinding, the
 * offer's address and server when answering an offer. */
static size_t build(const struct dhcp_client *c, uint8_t *msg, uint8_t type, uint32_t ciaddr,
		    uint32_t requested, uint32_t server)
{
	static const uint8_t wanted[] = { OPT_NETMASK, OPT_ROUTER, OPT_DNS, OPT_LEASE_TIME,
					  OPT_RENEWAL_TIME, OPT_REBINDING_TIME };
	memset(msg, 0, MESSAGE_MIN);
	msg[0] = BOOTREQUEST;
	msg[1] = 1;             /* Ethernet */
	msg[2] = 6;
	put32(msg + 4, c->xid);
	put32(msg + 12, ciaddr);
	memcpy(msg + 28, c->mac, 6);
	put32(msg + 236, MAGIC_COOKIE);
	struct builder b = { msg, OPTIONS_AT };
	option(&b, OPT_MESSAGE_TYPE, &type, 1);
	if (requested)
		option32(&b, OPT_REQUESTED_IP, requested);
	if (server)
		option32(&b, OPT_SERVER_ID, server);
	uint8_t max_size[2] = { DHCP_MESSAGE_MAX >> 8, DHCP_MESSAGE_MAX & 0xFF };
	option(&b, OPT_MAX_SIZE, max_size, 2);
	option(&b, OPT_PARAMETERS, wanted, sizeof(wanted));
	size_t name = strlen(c->hostname);
	if (name)
		option(&b, OPT_HOSTNAME, c->hostname, (uint8_t)name);
	b.p[b.len++] = OPT_END;
	return b.len < MESSAGE_MIN ? MESSAGE_MIN : b.len;
}

/* The netmask of the address's class, for a server that gives none. */
static uint32_t class_netmask(uint32_t a)
{
	return a < 0x80000000u ? 0xFF000000u : a < 0xC0000000u ? 0xFFFF0000u : 0xFFFFFF00u;
}

int dhcp_parse(const uint8_t *msg, size_t len, const uint8_t mac[6], struct dhcp_reply *out)
{
	memset(out, 0, sizeof(*out));
	if (len < OPTIONS_AT || msg[0] != BOOTREPLY || msg[1] != 1 || msg[2] != 6 ||
	    memcmp(msg + 28, mac, 6) != 0 || get32(msg + 236) != MAGIC_COOKIE)
		return -1;
	out->xid = get32(msg + 4);
	out->yiaddr = out->lease.address = get32(msg + 16);
	out->lease.lease_s = FOREVER;
	int dns = 0;
	for (size_t i = OPTIONS_AT; i < len;) {
		uint8_t code = msg[i++];
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			break;
		if (i >= len || i + 1 + msg[i] > len)
			return -1;      /* an option running past the message */
		uint8_t n = msg[i++];
		const uint8_t *v = msg + i;
		i += n;
		if (code == OPT_MESSAGE_TYPE && n == 1)
			out->type = v[0];
		if (n < 4)
			continue;       /* the rest carry addresses or seconds */
		switch (code) {
		case OPT_NETMASK: out->lease.netmask = get32(v); break;
		case OPT_ROUTER: out->lease.gateway = get32(v); break;
		case OPT_SERVER_ID: out->lease.server = get32(v); break;
		case OPT_LEASE_TIME:
			out->lease.lease_s = get32(v);
			out->has_lease_time = 1;
			break;
		case OPT_RENEWAL_TIME: out->lease.renew_s = get32(v); break;
		case OPT_REBINDING_TIME: out->lease.rebind_s = get32(v); break;
		case OPT_DNS:
			for (uint8_t k = 0; k + 4 <= n && dns < 2; k += 4)
				out->lease.dns[dns++] = get32(v + k);
			break;
		}
	}
	if (!out->type)
		return -1;
	struct dhcp_lease *l = &out->lease;
	if (!l->netmask)
		l->netmask = class_netmask(l->address);
	/* A lease of seconds (or 0, from a broken or hostile server) would have
	 * the address renewed, lost and leased again in a tight loop. */
	if (l->lease_s < LEASE_MIN_S)
		l->lease_s = LEASE_MIN_S;
	/* T1 and T2 as RFC 2131 4.4.5 defaults them, kept in order. */
	if (l->lease_s == FOREVER) {
		l->renew_s = l->rebind_s = FOREVER;
	} else {
		if (!l->rebind_s || l->rebind_s > l->lease_s)
			l->rebind_s = (uint32_t)((uint64_t)l->lease_s * 7 / 8);
		if (!l->renew_s || l->renew_s > l->rebind_s)
			l->renew_s = l->lease_s / 2 < l->rebind_s ? l->lease_s / 2 : l->rebind_s;
	}
	return 0;
}

/* --- state machine ------------------------------------------------------ */

static uint64_t after_s(uint64_t start, uint32_t s)
{
	return s == FOREVER ? DHCP_NEVER : start + (uint64_t)s * 1000;
}

static uint64_t backoff(unsigned tries)
{
	uint64_t ms = RETRY_FIRST_MS << (tries < 6 ? tries : 6);
	return ms < RETRY_MAX_MS ? ms : RETRY_MAX_MS;
}

static void send(struct dhcp_client *c, uint8_t type, uint32_t from, uint32_t to, uint32_t requested,
		 uint32_t server)
{
	uint8_t msg[DHCP_MESSAGE_MAX];
	size_t len = build(c, msg, type, from, requested, server);
	c->act->send(c, msg, len, from, to);
}

static void discover(struct dhcp_client *c, uint64_t now)
{
	c->state = DHCP_SELECTING;
	c->xid++;               /* a new transaction */
	c->tries = 0;
	send(c, DHCP_DISCOVER, 0, DHCP_BROADCAST, 0, 0);
	c->next = now + backoff(c->tries++);
}

void dhcp_client_start(struct dhcp_client *c, uint32_t xid, uint64_t now)
{
	c->xid = xid;
	memset(&c->lease, 0, sizeof(c->lease));
	discover(c, now);
}

static void request_offer(struct dhcp_client *c, uint64_t now)
{
	send(c, DHCP_REQUEST, 0, DHCP_BROADCAST, c->offer.address, c->offer.server);
	c->next = now + backoff(c->tries++);
}

/* RENEWING and REBINDING ask again at half the time left to the state's
 * end, but not more often than once a minute. */
static uint64_t renew_retry(uint64_t now, uint64_t end)
{
	if (end == DHCP_NEVER)
		return DHCP_NEVER;
	uint64_t half = now < end ? (end - now) / 2 : 0;
	uint64_t at = now + (half > RENEW_RETRY_MIN_MS ? half : RENEW_RETRY_MIN_MS);
	return at < end ? at : end;
}

static void ask_again(struct dhcp_client *c, uint64_t now)
{
	const struct dhcp_lease *l = &c->lease;
	if (c->state == DHCP_RENEWING) {
		send(c, DHCP_REQUEST, l->address, l->server ? l->server : DHCP_BROADCAST, 0, 0);
		c->next = renew_retry(now, after_s(c->bound_at, l->rebind_s));
	} else {
		send(c, DHCP_REQUEST, l->address, DHCP_BROADCAST, 0, 0);
		c->next = renew_retry(now, after_s(c->bound_at, l->lease_s));
	}
}

void dhcp_client_tick(struct dhcp_client *c, uint64_t now)
{
	if (now < c->next)
		return;
	const struct dhcp_lease *l = &c->lease;
	switch (c->state) {
	case DHCP_SELECTING:
		send(c, DHCP_DISCOVER, 0, DHCP_BROADCAST, 0, 0);
		c->next = now + backoff(c->tries++);
		break;
	case DHCP_REQUESTING:
		if (c->tries >= REQUEST_TRIES)
			discover(c, now);       /* the offer went stale */
		else
			request_offer(c, now);
		break;
	case DHCP_BOUND:
		c->state = DHCP_RENEWING;
		c->xid++;               /* a new transaction */
		ask_again(c, now);
		break;
	case DHCP_RENEWING:
		if (now >= after_s(c->bound_at, l->rebind_s)) {
			c->state = DHCP_REBINDING;
			c->xid++;
		}
		ask_again(c, now);
		break;
	case DHCP_REBINDING:
		if (now >= after_s(c->bound_at, l->lease_s)) {
			memset(&c->lease, 0, sizeof(c->lease));
			c->act->lost(c);
			discover(c, now);
		} else {
			ask_again(c, now);
		}
		break;
	}
}

void dhcp_client_input(struct dhcp_client *c, const uint8_t *msg, size_t len, uint64_t now)
{
	struct dhcp_reply r;
	if (dhcp_parse(msg, len, c->mac, &r) != 0 || r.xid != c->xid)
		return;
	bool leased = c->state >= DHCP_BOUND;
	if (r.type == DHCP_OFFER && c->state == DHCP_SELECTING) {
		if (!r.yiaddr || !r.lease.server)
			return;         /* unusable offer: wait for another */
		c->offer = r.lease;
		c->state = DHCP_REQUESTING;
		c->tries = 0;
		request_offer(c, now);
	} else if (r.type == DHCP_ACK && (c->state == DHCP_REQUESTING || c->state == DHCP_RENEWING ||
					  c->state == DHCP_REBINDING)) {
		if (!r.yiaddr)
			return;
		if (!r.lease.server)
			r.lease.server = c->state == DHCP_REQUESTING ? c->offer.server : c->lease.server;
		if (leased && !r.has_lease_time) {
			/* a renewal that names no time: the old times, not for ever */
			r.lease.lease_s = c->lease.lease_s;
			r.lease.renew_s = c->lease.renew_s;
			r.lease.rebind_s = c->lease.rebind_s;
		}
		if (leased && r.yiaddr != c->lease.address)
			c->act->lost(c);        /* a different address: the old one goes */
		c->lease = r.lease;
		c->bound_at = now;
		c->state = DHCP_BOUND;
		c->next = after_s(now, c->lease.renew_s);
		c->act->bound(c, &c->lease);
	} else if (r.type == DHCP_NAK && c->state != DHCP_SELECTING && c->state != DHCP_BOUND) {
		if (leased) {
			memset(&c->lease, 0, sizeof(c->lease));
			c->act->lost(c);
		}
		/* Start over, but not at once: a server that refuses every
		 * time would otherwise get a DISCOVER per round trip. */
		c->state = DHCP_SELECTING;
		c->xid++;
		c->tries = 1;
		c->next = now + RETRY_FIRST_MS;
	}
}
