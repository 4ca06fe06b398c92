/* Unit tests of the DHCP client (lwip-port/dhcp_client.c) against a
 * scripted server: the exchange, renewal at T1, rebinding at T2, losing
 * the lease, NAK, retransmission, and malformed or foreign replies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lwip-port/dhcp_client.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define SERVER IP(10, 0, 2, 2)
#define OFFERED IP(10, 0, 2, 15)

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* What the client did, as the tests read it back. */
static struct {
	int sent;
	uint8_t msg[DHCP_MESSAGE_MAX];
	size_t len;
	uint32_t from, to;
	int bound, lost;
	struct dhcp_lease lease;
} seen;

static void on_send(struct dhcp_client *c, const uint8_t *msg, size_t len, uint32_t from, uint32_t to)
{
	(void)c;
	CHECK(len <= sizeof(seen.msg));
	seen.sent++;
	memcpy(seen.msg, msg, len);
	seen.len = len;
	seen.from = from;
	seen.to = to;
}

static void on_bound(struct dhcp_client *c, const struct dhcp_lease *l)
{
	(void)c;
	seen.bound++;
	seen.lease = *l;
}

static void on_lost(struct dhcp_client *c)
{
	(void)c;
	seen.lost++;
}

static const struct dhcp_actions actions = { on_send, on_bound, on_lost };

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* The value of option `code` in the last message sent (NULL if absent). */
static const uint8_t *sent_option(uint8_t code, uint8_t *len)
{
	for (size_t i = 240; i + 1 < seen.len && seen.msg[i] != 255;) {
		if (seen.msg[i] == 0) {
			i++;
			continue;
		}
		if (seen.msg[i] == code) {
			*len = seen.msg[i + 1];
			return seen.msg + i + 2;
		}
		i += 2 + seen.msg[i + 1];
	}
	return NULL;
}

static int sent_type(void)
{
	uint8_t len = 0;
	const uint8_t *v = sent_option(53, &len);
	return v && len == 1 ? v[0] : -1;
}

/* A server's reply to the last message sent. */
struct reply {
	uint8_t msg[DHCP_MESSAGE_MAX];
	size_t len;
};

static void add(struct reply *r, uint8_t code, const void *v, uint8_t n)
{
	r->msg[r->len++] = code;
	r->msg[r->len++] = n;
	memcpy(r->msg + r->len, v, n);
	r->len += n;
}

static void add32(struct reply *r, uint8_t code, uint32_t v)
{
	uint8_t be[4];
	put32(be, v);
	add(r, code, be, 4);
}

/* type; lease seconds (0: no lease option); with router, mask and DNS */
static struct reply answer(int type, uint32_t yiaddr, uint32_t lease_s)
{
	struct reply r;
	memset(&r, 0, sizeof(r));
	r.msg[0] = 2;
	r.msg[1] = 1;
	r.msg[2] = 6;
	memcpy(r.msg + 4, seen.msg + 4, 4);     /* the request's xid */
	put32(r.msg + 16, yiaddr);
	memcpy(r.msg + 28, mac, 6);
	put32(r.msg + 236, 0x63825363u);
	r.len = 240;
	uint8_t t = (uint8_t)type;
	add(&r, 53, &t, 1);
	add32(&r, 54, SERVER);
	if (type != 6) {
		add32(&r, 1, IP(255, 255, 255, 0));
		add32(&r, 3, SERVER);
		uint8_t dns[8];
		put32(dns, IP(10, 0, 2, 3));
		put32(dns + 4, IP(10, 0, 2, 4));
		add(&r, 6, dns, 8);
		if (lease_s)
			add32(&r, 51, lease_s);
	}
	r.msg[r.len++] = 255;
	return r;
}

static void start(struct dhcp_client *c, const char *hostname)
{
	memset(&seen, 0, sizeof(seen));
	memset(c, 0, sizeof(*c));
	c->act = &actions;
	memcpy(c->mac, mac, 6);
	if (hostname)
		strcpy(c->hostname, hostname);
	dhcp_client_start(c, 1234, 0);
}

/* DISCOVER -> OFFER -> REQUEST -> ACK at time `now`; lease `lease_s`. */
static void lease(struct dhcp_client *c, uint32_t lease_s, uint64_t now)
{
	struct reply offer = answer(2, OFFERED, lease_s);
	dhcp_client_input(c, offer.msg, offer.len, now);
	struct reply ack = answer(5, OFFERED, lease_s);
	dhcp_client_input(c, ack.msg, ack.len, now);
}

static void test_exchange(void)
{
	struct dhcp_client c;
	start(&c, "skiffy");
	CHECK_INT(seen.sent, 1);
	CHECK_INT(sent_type(), 1);              /* DISCOVER */
	CHECK_INT(seen.to, DHCP_BROADCAST);
	CHECK_INT(seen.from, 0);
	CHECK(seen.len >= 300);
	CHECK(memcmp(seen.msg + 28, mac, 6) == 0);
	uint8_t len = 0;
	const uint8_t *name = sent_option(12, &len);
	CHECK(name && len == 6 && memcmp(name, "skiffy", 6) == 0);

	struct reply offer = answer(2, OFFERED, 3600);
	dhcp_client_input(&c, offer.msg, offer.len, 10);
	CHECK_INT(seen.sent, 2);
	CHECK_INT(sent_type(), 3);              /* REQUEST for the offer */
	const uint8_t *v = sent_option(50, &len);
	CHECK(v && len == 4 && get32(v) == OFFERED);
	v = sent_option(54, &len);
	CHECK(v && len == 4 && get32(v) == SERVER);
	CHECK_INT(get32(seen.msg + 12), 0);     /* no ciaddr yet */
	CHECK_INT(seen.bound, 0);

	struct reply ack = answer(5, OFFERED, 3600);
	dhcp_client_input(&c, ack.msg, ack.len, 20);
	CHECK_INT(seen.bound, 1);
	CHECK_INT(seen.lease.address, OFFERED);
	CHECK_INT(seen.lease.netmask, IP(255, 255, 255, 0));
	CHECK_INT(seen.lease.gateway, SERVER);
	CHECK_INT(seen.lease.dns[0], IP(10, 0, 2, 3));
	CHECK_INT(seen.lease.dns[1], IP(10, 0, 2, 4));
	CHECK_INT(seen.lease.renew_s, 1800);    /* T1 = lease / 2 */
	CHECK_INT(seen.lease.rebind_s, 3150);   /* T2 = lease * 7 / 8 */
	CHECK_INT(c.state, DHCP_BOUND);
	CHECK_INT(c.next, 20 + 1800 * 1000ull);
	CHECK_INT(seen.sent, 2);

	/* A second ACK (a duplicate) changes nothing. */
	dhcp_client_input(&c, ack.msg, ack.len, 30);
	CHECK_INT(seen.bound, 1);
}

static void test_retransmission(void)
{
	struct dhcp_client c;
	start(&c, NULL);
	uint8_t len;
	CHECK(sent_option(12, &len) == NULL);   /* no hostname: no option */
	uint64_t first = c.next;
	CHECK_INT(first, 1000);
	dhcp_client_tick(&c, 999);              /* too early: nothing */
	CHECK_INT(seen.sent, 1);
	dhcp_client_tick(&c, first);
	CHECK_INT(seen.sent, 2);
	CHECK_INT(sent_type(), 1);
	CHECK_INT(c.next - first, 2000);        /* doubling */
	for (int i = 0; i < 20; i++)
		dhcp_client_tick(&c, c.next);
	CHECK_INT(seen.sent, 22);
	uint64_t before = c.next;
	dhcp_client_tick(&c, before);
	CHECK_INT(c.next - before, 64000);      /* capped at 64 s */

	/* An offer whose REQUESTs go unanswered goes stale: DISCOVER again,
	 * with a new transaction id. */
	struct reply offer = answer(2, OFFERED, 3600);
	dhcp_client_input(&c, offer.msg, offer.len, before);
	uint32_t xid = get32(seen.msg + 4);
	for (int i = 0; i < 3; i++)
		dhcp_client_tick(&c, c.next);
	CHECK_INT(c.state, DHCP_REQUESTING);    /* four REQUESTs in all... */
	CHECK_INT(sent_type(), 3);
	dhcp_client_tick(&c, c.next);
	CHECK_INT(c.state, DHCP_SELECTING);     /* ...then over again */
	CHECK_INT(sent_type(), 1);
	CHECK(get32(seen.msg + 4) != xid);
}

static void test_renew_rebind_expire(void)
{
	struct dhcp_client c;
	start(&c, NULL);
	lease(&c, 1000, 0);                     /* T1 500 s, T2 875 s */
	CHECK_INT(seen.bound, 1);

	/* T1: REQUEST to the server that leased it, from the address, as a
	 * new transaction. */
	uint32_t lease_xid = c.xid;
	dhcp_client_tick(&c, 500000);
	CHECK(c.xid != lease_xid && get32(seen.msg + 4) == c.xid);
	CHECK_INT(c.state, DHCP_RENEWING);
	CHECK_INT(sent_type(), 3);
	CHECK_INT(seen.to, SERVER);
	CHECK_INT(seen.from, OFFERED);
	CHECK_INT(get32(seen.msg + 12), OFFERED);       /* ciaddr */
	uint8_t len;
	CHECK(sent_option(50, &len) == NULL && sent_option(54, &len) == NULL);
	CHECK_INT(c.next, 687500);              /* half the time to T2 */

	/* The server answers: renewed from now. */
	struct reply ack = answer(5, OFFERED, 1000);
	dhcp_client_input(&c, ack.msg, ack.len, 600000);
	CHECK_INT(seen.bound, 2);
	CHECK_INT(seen.lost, 0);
	CHECK_INT(c.state, DHCP_BOUND);
	CHECK_INT(c.next, 600000 + 500000);

	/* No answer at all: RENEWING, then REBINDING (broadcast) at T2, then
	 * the address is lost at the lease's end and DISCOVER starts over. */
	int sends = seen.sent;
	uint64_t t = 0;
	while (c.state != DHCP_REBINDING)
		dhcp_client_tick(&c, t = c.next);
	CHECK(seen.sent > sends + 1);
	CHECK_INT(t, 600000 + 875000);          /* at T2 exactly */
	CHECK_INT(seen.to, DHCP_BROADCAST);
	CHECK_INT(seen.from, OFFERED);
	CHECK_INT(get32(seen.msg + 12), OFFERED);
	CHECK(sent_option(50, &len) == NULL && sent_option(54, &len) == NULL);
	while (c.state == DHCP_REBINDING) {
		CHECK_INT(seen.lost, 0);
		dhcp_client_tick(&c, t = c.next);
	}
	CHECK_INT(t, 600000 + 1000000);         /* lost at the lease's end */
	CHECK_INT(seen.lost, 1);
	CHECK_INT(c.state, DHCP_SELECTING);
	CHECK_INT(sent_type(), 1);
	CHECK_INT(seen.from, 0);
}

static void test_nak(void)
{
	struct dhcp_client c;
	start(&c, NULL);
	lease(&c, 1000, 0);
	dhcp_client_tick(&c, 500000);           /* RENEWING */
	struct reply nak = answer(6, 0, 0);
	put32(nak.msg + 4, c.xid + 7);          /* another transaction's: ignored */
	dhcp_client_input(&c, nak.msg, nak.len, 500001);
	CHECK_INT(c.state, DHCP_RENEWING);
	nak = answer(6, 0, 0);
	int sends = seen.sent;
	dhcp_client_input(&c, nak.msg, nak.len, 500001);
	CHECK_INT(seen.lost, 1);
	CHECK_INT(c.state, DHCP_SELECTING);
	CHECK_INT(seen.sent, sends);            /* not at once... */
	CHECK_INT(c.next, 500001 + 1000);
	dhcp_client_tick(&c, c.next);
	CHECK_INT(seen.sent, sends + 1);        /* ...a second later */
	CHECK_INT(sent_type(), 1);

	/* A NAK while bound (nothing asked) is ignored. */
	start(&c, NULL);
	lease(&c, 1000, 0);
	nak = answer(6, 0, 0);
	dhcp_client_input(&c, nak.msg, nak.len, 1);
	CHECK_INT(c.state, DHCP_BOUND);
	CHECK_INT(seen.lost, 0);

	/* A NAK for the REQUEST of an offer: start over, nothing to lose. */
	start(&c, NULL);
	struct reply offer = answer(2, OFFERED, 1000);
	dhcp_client_input(&c, offer.msg, offer.len, 0);
	nak = answer(6, 0, 0);
	dhcp_client_input(&c, nak.msg, nak.len, 1);
	CHECK_INT(seen.lost, 0);
	CHECK_INT(c.state, DHCP_SELECTING);
}

static void test_lease_times(void)
{
	struct dhcp_client c;
	struct dhcp_reply out;
	/* T1 after T2 and T2 after the lease are put back in order. */
	struct reply r = answer(5, OFFERED, 1000);
	r.len--;                                /* reopen before the end option */
	add32(&r, 58, 900);
	add32(&r, 59, 2000);
	r.msg[r.len++] = 255;
	CHECK_INT(dhcp_parse(r.msg, r.len, mac, &out), 0);
	CHECK_INT(out.lease.rebind_s, 875);
	CHECK_INT(out.lease.renew_s, 500);
	r = answer(5, OFFERED, 1000);
	r.len--;
	add32(&r, 58, 100);
	add32(&r, 59, 200);
	r.msg[r.len++] = 255;
	CHECK_INT(dhcp_parse(r.msg, r.len, mac, &out), 0);
	CHECK_INT(out.lease.renew_s, 100);      /* sensible ones are kept */
	CHECK_INT(out.lease.rebind_s, 200);

	/* A lease of 1 s is taken as 60 s: no renew/lose loop. */
	start(&c, NULL);
	lease(&c, 1, 0);
	CHECK_INT(seen.lease.lease_s, 60);
	CHECK_INT(c.next, 30000);

	/* A renewal ACK naming no lease time keeps the old times. */
	start(&c, NULL);
	lease(&c, 1000, 0);
	dhcp_client_tick(&c, 500000);
	struct reply ack = answer(5, OFFERED, 0);
	dhcp_client_input(&c, ack.msg, ack.len, 500100);
	CHECK_INT(c.state, DHCP_BOUND);
	CHECK_INT(seen.lease.lease_s, 1000);
	CHECK_INT(c.next, 500100 + 500000);

	/* A renewal that gives another address: the old one goes first. */
	dhcp_client_tick(&c, c.next);
	ack = answer(5, OFFERED + 1, 1000);
	dhcp_client_input(&c, ack.msg, ack.len, 1000200);
	CHECK_INT(seen.lost, 1);
	CHECK_INT(seen.bound, 3);
	CHECK_INT(seen.lease.address, OFFERED + 1);
}

static void test_infinite_lease(void)
{
	struct dhcp_client c;
	start(&c, NULL);
	lease(&c, 0xFFFFFFFFu, 0);
	CHECK_INT(seen.bound, 1);
	CHECK(c.next == DHCP_NEVER);
	/* A lease without option 51 is also for ever (as lwIP's). */
	start(&c, NULL);
	lease(&c, 0, 0);
	CHECK(c.next == DHCP_NEVER);
}

static void test_foreign_and_malformed(void)
{
	struct dhcp_client c;
	start(&c, NULL);
	struct reply r = answer(2, OFFERED, 3600);

	struct reply bad = r;
	put32(bad.msg + 4, 99);                 /* another transaction */
	dhcp_client_input(&c, bad.msg, bad.len, 0);
	bad = r;
	bad.msg[29] ^= 1;                       /* another client's MAC */
	dhcp_client_input(&c, bad.msg, bad.len, 0);
	bad = r;
	bad.msg[236] = 0;                       /* no magic cookie */
	dhcp_client_input(&c, bad.msg, bad.len, 0);
	bad = r;
	bad.msg[0] = 1;                         /* a request, not a reply */
	dhcp_client_input(&c, bad.msg, bad.len, 0);
	dhcp_client_input(&c, r.msg, 239, 0);   /* cut before the options */
	/* An option running past the end, in a buffer of exactly the
	 * message's length (so ASan sees any read beyond it). */
	bad = r;
	bad.msg[bad.len - 1] = 51;              /* in place of the end option */
	bad.msg[bad.len++] = 200;
	bad.msg[bad.len++] = 0;
	uint8_t *exact = malloc(bad.len);
	memcpy(exact, bad.msg, bad.len);
	dhcp_client_input(&c, exact, bad.len, 0);
	free(exact);
	bad = answer(5, OFFERED, 3600);         /* an ACK while selecting */
	dhcp_client_input(&c, bad.msg, bad.len, 0);
	bad = answer(2, 0, 3600);               /* an offer of no address */
	dhcp_client_input(&c, bad.msg, bad.len, 0);
	CHECK_INT(seen.sent, 1);
	CHECK_INT(c.state, DHCP_SELECTING);
	CHECK_INT(seen.bound, 0);

	/* The codec on its own: type missing, class netmask default. */
	struct dhcp_reply out;
	struct reply plain;
	memset(&plain, 0, sizeof(plain));
	memcpy(plain.msg, r.msg, 240);
	plain.len = 240;
	plain.msg[plain.len++] = 255;
	CHECK_INT(dhcp_parse(plain.msg, plain.len, mac, &out), -1);
	plain.len = 240;
	uint8_t t = 2;
	add(&plain, 53, &t, 1);
	put32(plain.msg + 16, IP(172, 16, 0, 9));
	plain.msg[plain.len++] = 255;
	CHECK_INT(dhcp_parse(plain.msg, plain.len, mac, &out), 0);
	CHECK_INT(out.lease.netmask, IP(255, 255, 0, 0));
	CHECK_INT(out.type, 2);
	plain.msg[plain.len - 1] = 51;          /* ends with a code and no length */
	uint8_t *cut = malloc(plain.len);
	memcpy(cut, plain.msg, plain.len);
	CHECK_INT(dhcp_parse(cut, plain.len, mac, &out), -1);
	free(cut);
}

int main(void)
{
	test_exchange();
	test_retransmission();
	test_renew_rebind_expire();
	test_nak();
	test_lease_times();
	test_infinite_lease();
	test_foreign_and_malformed();
	return check_report();
}
