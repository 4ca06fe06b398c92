/* Initial sequence numbers (see isn.h). */
#include "lwip-port/isn.h"

static uint64_t rotl(uint64_t x, int bits) { return x << bits | x >> (64 - bits); }

static uint64_t load_le64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static void sip_rounds(struct sip *s, int rounds)
{
	while (rounds--) {
		s->v0 += s->v1;
		s->v1 = rotl(s->v1, 13) ^ s->v0;
		s->v0 = rotl(s->v0, 32);
		s->v2 += s->v3;
		s->v3 = rotl(s->v3, 16) ^ s->v2;
		s->v0 += s->v3;
		s->v3 = rotl(s->v3, 21) ^ s->v0;
		s->v2 += s->v1;
		s->v1 = rotl(s->v1, 17) ^ s->v2;
		s->v2 = rotl(s->v2, 32);
	}
}

static void sip_absorb(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_rounds(s, 2);
	s->v0 ^= m;
}

uint64_t isn_siphash24(const struct isn_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	/* The constants spell "somepseudorandomlygeneratedbytes". */
	struct sip s = {
		key->k0 ^ 0x736f6d6570736575ull,
		key->k1 ^ 0x646f72616e646f6dull,
		key->k0 ^ 0x6c7967656e657261ull,
		key->k1 ^ 0x7465646279746573ull,
	};
	size_t whole = len / 8 * 8;
	for (size_t at = 0; at < whole; at += 8)
		sip_absorb(&s, load_le64(p + at, 8));
	sip_absorb(&s, (uint64_t)len << 56 | load_le64(p + whole, len - whole));
	s.v2 ^= 0xff;
	sip_rounds(&s, 4);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint32_t isn_generate(const struct isn_key *key, const struct isn_tuple *t, uint64_t now_ns)
{
	uint8_t tuple[12];
	put_be32(tuple, t->local);
	put_be32(tuple + 4, t->remote);
	put_be32(tuple + 8, (uint32_t)t->local_port << 16 | t->remote_port);
	return (uint32_t)(now_ns / 4000) + (uint32_t)isn_siphash24(key, tuple, sizeof tuple);
}

static bool same_tuple(const struct isn_tuple *a, const struct isn_tuple *b)
{
	return a->local == b->local && a->remote == b->remote && a->local_port == b->local_port &&
	       a->remote_port == b->remote_port;
}

/* How far beyond the old connection the new one starts: a whole window of
 * the largest unscaled size and then some, so that nothing the old one
 * may still have in flight lies in the new one's range. */
#define FLOOR_GAP (65535u + 2u)

void isn_floor_arm(struct isn_floor *f, const struct isn_tuple *t, uint32_t old_snd_nxt)
{
	f->armed = true;
	f->tuple = *t;
	f->least = old_snd_nxt + FLOOR_GAP;
}

uint32_t isn_floor_apply(struct isn_floor *f, const struct isn_tuple *t, uint32_t iss)
{
	if (!f->armed || !same_tuple(t, &f->tuple))
		return iss;
	f->armed = false;
	/* Sequence space wraps: "below" is a negative 32-bit distance. */
	return (int32_t)(iss - f->least) < 0 ? f->least : iss;
}
