/* Initial sequence numbers for new TCP connections, as RFC 6528 has them:
 * a clock that advances every 4 microseconds plus a keyed hash of the
 * connection's addresses and ports. Nobody who lacks the key can guess the
 * numbers of another's connection; one connection's numbers keep growing
 * with time. Pure logic, host-tested; lwip-port/tcp_isn.c gives it lwIP. */
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

/* The first sequence number of a connection on `t` at monotonic time
 * `now_ns`. */
uint32_t isn_generate(const struct isn_key *key, const struct isn_tuple *t, uint64_t now_ns);

/* RFC 1122 4.2.2.13: a connection that takes over the ports of one in
 * TIME_WAIT must start beyond everything the old one sent, or the peer may
 * take an old segment for a new one. isn_floor_arm remembers the old
 * connection's next sequence number; isn_floor_apply raises the first
 * number of the next connection on the same tuple above it (by a window,
 * as Linux does) and forgets it. One is remembered at a time: the new
 * connection is made the moment the old one is ended for it. */
struct isn_floor {
	bool armed;
	struct isn_tuple tuple;
	uint32_t least;
};

void isn_floor_arm(struct isn_floor *f, const struct isn_tuple *t, uint32_t old_snd_nxt);
uint32_t isn_floor_apply(struct isn_floor *f, const struct isn_tuple *t, uint32_t iss);

#endif
