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

void isn_stir(struct isn_pool *p, uint64_t sample)
{
	/* Each half of the new state is a keyed hash of the sample under the
	 * old state: what went in before cannot be told from it or undone. */
	const struct isn_key swapped = { p->state.k1, p->state.k0 };
	uint64_t k0 = isn_siphash24(&p->state, &sample, sizeof sample);
	p->state.k1 = isn_siphash24(&swapped, &sample, sizeof sample);
	p->state.k0 = k0;
	p->samples++;
}

void isn_key_from(struct isn_key *key, const struct isn_pool *p, uint64_t r0, uint64_t r1)
{
	uint64_t words[3] = { r0, r1, 0 };
	key->k0 = isn_siphash24(&p->state, words, sizeof words);
	words[2] = 1;
	key->k1 = isn_siphash24(&p->state, words, sizeof words);
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

static struct isn_floor *live_floor(struct isn_floors *f, const struct isn_tuple *t, uint64_t now_ns)
{
	for (int i = 0; i < ISN_FLOORS; i++)
		if (f->floor[i].armed && now_ns < f->floor[i].until_ns && same_tuple(t, &f->floor[i].tuple))
			return &f->floor[i];
	return NULL;
}

void isn_floor_arm(struct isn_floors *f, const struct isn_tuple *t, uint32_t old_snd_nxt, uint64_t now_ns)
{
	struct isn_floor *slot = live_floor(f, t, now_ns);
	if (!slot) {
		slot = &f->floor[0];
		for (int i = 0; i < ISN_FLOORS; i++) {
			struct isn_floor *c = &f->floor[i];
			if (!c->armed || now_ns >= c->until_ns) {
				slot = c;               /* free */
				break;
			}
			if (c->until_ns < slot->until_ns)
				slot = c;               /* the oldest so far */
		}
	}
	*slot = (struct isn_floor){ true, *t, old_snd_nxt + FLOOR_GAP, now_ns + ISN_FLOOR_LIFE_NS };
}

uint32_t isn_floor_apply(struct isn_floors *f, const struct isn_tuple *t, uint32_t iss, uint64_t now_ns)
{
	struct isn_floor *slot = live_floor(f, t, now_ns);
	if (!slot)
		return iss;
	slot->armed = false;
	/* Sequence space wraps: "below" is a negative 32-bit distance. */
	return (int32_t)(iss - slot->least) < 0 ? slot->least : iss;
}
