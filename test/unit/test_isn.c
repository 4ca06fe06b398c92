/* Unit tests of TCP's initial sequence numbers (lwip-port/isn.c): SipHash
 * against the published test vectors, RFC 6528's clock and tuple parts,
 * the floors for connections that take over a TIME_WAIT's ports, and the
 * pool the key is drawn from. */
#include <stdint.h>

#include "check.h"
#include "lwip-port/isn.h"

/* The key of the SipHash paper's examples: bytes 00 01 .. 0f. */
static const struct isn_key paper_key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

static void test_siphash_vectors(void)
{
	uint8_t msg[15];
	for (unsigned i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)i;
	/* The paper's worked example (appendix A): 15 bytes 00 .. 0e. */
	CHECK(isn_siphash24(&paper_key, msg, 15) == 0xa129ca6149be45e5ull);
	/* The reference implementation's vectors for 0 and 8 bytes: the
	 * empty message and one whole word without a tail. */
	CHECK(isn_siphash24(&paper_key, msg, 0) == 0x726fdb47dd0e0e31ull);
	CHECK(isn_siphash24(&paper_key, msg, 8) == 0x93f5f5799a932462ull);
}

static const struct isn_tuple client = { 0x0A00020Fu, 0x0A000202u, 8080, 40000 };

static void test_clock_part(void)
{
	uint64_t t0 = 123456000ull * 1000;  /* on a tick */
	uint32_t a = isn_generate(&paper_key, &client, t0);
	/* The clock ticks every 4 us: 250,000 a second, for the same tuple. */
	CHECK(isn_generate(&paper_key, &client, t0 + 1000000000ull) - a == 250000u);
	CHECK(isn_generate(&paper_key, &client, t0 + 3999) == a);
	CHECK(isn_generate(&paper_key, &client, t0 + 4000) == a + 1);
}

static void test_tuple_part(void)
{
	uint64_t now = 5ull * 1000000000ull;
	uint32_t base = isn_generate(&paper_key, &client, now);
	struct isn_tuple t = client;
	t.local ^= 1;
	CHECK(isn_generate(&paper_key, &t, now) != base);
	t = client;
	t.remote ^= 0x100;
	CHECK(isn_generate(&paper_key, &t, now) != base);
	t = client;
	t.local_port++;
	CHECK(isn_generate(&paper_key, &t, now) != base);
	t = client;
	t.remote_port++;
	CHECK(isn_generate(&paper_key, &t, now) != base);
	/* Swapping the sides is another connection. */
	t = (struct isn_tuple){ client.remote, client.local, client.remote_port, client.local_port };
	CHECK(isn_generate(&paper_key, &t, now) != base);
	/* Without the key the number is not the same: another boot's key. */
	struct isn_key other = paper_key;
	other.k1 ^= 1;
	CHECK(isn_generate(&other, &client, now) != base);
}

#define SECOND 1000000000ull

static void test_floor(void)
{
	struct isn_floors f = { 0 };
	uint64_t t = 10 * SECOND;
	CHECK(isn_floor_apply(&f, &client, 1000, t) == 1000);     /* nothing armed */

	isn_floor_arm(&f, &client, 50000, t);
	struct isn_tuple other = client;
	other.remote_port++;
	CHECK(isn_floor_apply(&f, &other, 1000, t) == 1000);      /* another tuple */
	CHECK(isn_floor_apply(&f, &client, 1000, t) == 50000u + 65537u);
	CHECK(isn_floor_apply(&f, &client, 1000, t) == 1000);     /* used up */

	isn_floor_arm(&f, &client, 50000, t);
	CHECK(isn_floor_apply(&f, &client, 200000, t) == 200000); /* already beyond */

	/* Across the wrap of sequence space. */
	isn_floor_arm(&f, &client, 0xFFFFFFF0u, t);
	CHECK(isn_floor_apply(&f, &client, 5, t) == 0xFFF1u);
	isn_floor_arm(&f, &client, 0xFFFFFFF0u, t);
	CHECK(isn_floor_apply(&f, &client, 0x20000, t) == 0x20000);

	/* A floor lasts as long as a client retries its SYN, then goes. */
	isn_floor_arm(&f, &client, 50000, t);
	CHECK(isn_floor_apply(&f, &client, 1000, t + ISN_FLOOR_LIFE_NS - 1) == 50000u + 65537u);
	isn_floor_arm(&f, &client, 50000, t);
	CHECK(isn_floor_apply(&f, &client, 1000, t + ISN_FLOOR_LIFE_NS) == 1000);

	/* Several at once, each for its own tuple; arming a tuple again
	 * replaces its floor. */
	struct isn_floors g = { 0 };
	struct isn_tuple tuples[ISN_FLOORS];
	for (int i = 0; i < ISN_FLOORS; i++) {
		tuples[i] = client;
		tuples[i].remote_port = (uint16_t)(50000 + i);
		isn_floor_arm(&g, &tuples[i], 100000u * (unsigned)(i + 1), t + (uint64_t)i);
	}
	isn_floor_arm(&g, &tuples[1], 900000, t + 10);
	for (int i = ISN_FLOORS - 1; i >= 0; i--)
		CHECK_INT(isn_floor_apply(&g, &tuples[i], 0, t + 20), (i == 1 ? 900000u : 100000u * (i + 1)) + 65537u);
	/* With all in use, a new one replaces the oldest. */
	for (int i = 0; i < ISN_FLOORS; i++)
		isn_floor_arm(&g, &tuples[i], 1000, t + (uint64_t)i);
	struct isn_tuple newest = client;
	newest.remote_port = 60000;
	isn_floor_arm(&g, &newest, 7000, t + 100);
	CHECK(isn_floor_apply(&g, &tuples[0], 0, t + 200) == 0);                 /* the oldest went */
	CHECK(isn_floor_apply(&g, &newest, 0, t + 200) == 7000u + 65537u);
	for (int i = 1; i < ISN_FLOORS; i++)
		CHECK(isn_floor_apply(&g, &tuples[i], 0, t + 200) == 1000u + 65537u);
}

static void test_pool(void)
{
	/* The key depends on every sample and on their order. */
	struct isn_pool a = { 0 }, b = { 0 }, c = { 0 };
	for (uint64_t s = 1; s <= 3; s++) {
		isn_stir(&a, s * 1000);
		isn_stir(&b, s == 2 ? 2001 : s * 1000);
		isn_stir(&c, (4 - s) * 1000);
	}
	CHECK_INT(a.samples, 3);
	struct isn_key ka, kb, kc, ka2;
	isn_key_from(&ka, &a, 7, 8);
	isn_key_from(&kb, &b, 7, 8);
	isn_key_from(&kc, &c, 7, 8);
	isn_key_from(&ka2, &a, 7, 9);
	CHECK(ka.k0 != kb.k0 && ka.k1 != kb.k1);
	CHECK(ka.k0 != kc.k0 && ka.k1 != kc.k1);
	CHECK(ka.k0 != ka2.k0 && ka.k1 != ka2.k1);
	CHECK(ka.k0 != ka.k1);
	/* Without samples (no frame before the first connection) the key
	 * still comes from the two values given. */
	struct isn_pool empty = { 0 };
	struct isn_key k1, k2;
	isn_key_from(&k1, &empty, 1, 2);
	isn_key_from(&k2, &empty, 1, 3);
	CHECK(k1.k0 != k2.k0);
}

int main(void)
{
	test_siphash_vectors();
	test_clock_part();
	test_tuple_part();
	test_floor();
	test_pool();
	return check_report();
}
