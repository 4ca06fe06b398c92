/* Initial sequence numbers for new TCP connections, as RFC 6528 has them:
 * a clock that advances every 4 microseconds plus a keyed hash of the
 * connection's addresses and ports. Seeing the numbers of one's own
 * connections tells nothing of another's without the key; one connection's
 * numbers keep growing with time. How hard the key is to guess depends on
 * where it comes from (lwip-port/tcp_isn.c). Pure logic, host-tested. */
#ifndef SKIFF_LWIP_PORT_ISN_H
#define SKIFF_LWIP_PORT_ISN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct isn_key {
	uint64_t k0, k1;
};

/* Addresses in host byte order. */
struct isn_tuple {
	uint32_t local, remote;
	uint16_t local_port, remote_port;
};

/* SipHash-2-4 (Aumasson and Bernstein) of `len` bytes: the keyed hash. */
uint64_t isn_siphash24(const struct isn_key *key, const void *data, size_t len);

/* Where the key comes from on a machine without a hardware generator:
 * samples of the cycle counter at events whose timing the host decides
 * (frames arriving), each folded into the pool by isn_stir. isn_key_from
 * draws the key from the pool and two more values. */
struct isn_pool {
	struct isn_key state;
	unsigned samples;
};

void isn_stir(struct isn_pool *p, uint64_t sample);
void isn_key_from(struct isn_key *key, const struct isn_pool *p, uint64_t r0, uint64_t r1);

/* The first sequence number of a connection on `t` at monotonic time
 * `now_ns`. */
uint32_t isn_generate(const struct isn_key *key, const struct isn_tuple *t, uint64_t now_ns);

/* RFC 1122 4.2.2.13: a connection that takes over the ports of one in
 * TIME_WAIT must start beyond everything the old one sent, or the peer may
 * take an old segment for a new one. isn_floor_arm remembers the old
 * connection's next sequence number; isn_floor_apply raises the first
 * number of the next connection on the same tuple above it (by a window,
 * as Linux does) and forgets it. Usually that connection is made the
 * moment the old one ends, but its SYN may also be dropped (a full
 * backlog) and come again a second or more later: a few floors are kept,
 * each for ISN_FLOOR_LIFE_NS, the newest replacing the oldest. */
#define ISN_FLOORS 4
#define ISN_FLOOR_LIFE_NS (75ull * 1000000000ull)       /* a client's SYN retries: ~63 s */

struct isn_floors {
	struct isn_floor {
		bool armed;
		struct isn_tuple tuple;
		uint32_t least;
		uint64_t until_ns;
	} floor[ISN_FLOORS];
};

void isn_floor_arm(struct isn_floors *f, const struct isn_tuple *t, uint32_t old_snd_nxt, uint64_t now_ns);
uint32_t isn_floor_apply(struct isn_floors *f, const struct isn_tuple *t, uint32_t iss, uint64_t now_ns);

#endif
