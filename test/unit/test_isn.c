/* Unit tests of TCP's initial sequence numbers (lwip-port/isn.c): SipHash
 * against the published test vectors, RFC 6528's clock and tuple parts,
 * and the floor for a connection that takes over a TIME_WAIT's ports. */
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

static void test_floor(void)
{
	struct isn_floor f = { 0 };
	CHECK(isn_floor_apply(&f, &client, 1000) == 1000);        /* nothing armed */

	isn_floor_arm(&f, &client, 50000);
	struct isn_tuple other = client;
	other.remote_port++;
	CHECK(isn_floor_apply(&f, &other, 1000) == 1000);         /* another tuple */
	CHECK(isn_floor_apply(&f, &client, 1000) == 50000u + 65537u);
	CHECK(isn_floor_apply(&f, &client, 1000) == 1000);        /* used up */

	isn_floor_arm(&f, &client, 50000);
	CHECK(isn_floor_apply(&f, &client, 200000) == 200000);    /* already beyond */

	/* Across the wrap of sequence space. */
	isn_floor_arm(&f, &client, 0xFFFFFFF0u);
	CHECK(isn_floor_apply(&f, &client, 5) == 0xFFF1u);
	isn_floor_arm(&f, &client, 0xFFFFFFF0u);
	CHECK(isn_floor_apply(&f, &client, 0x20000) == 0x20000);
}

int main(void)
{
	test_siphash_vectors();
	test_clock_part();
	test_tuple_part();
	test_floor();
	return check_report();
}
