/* Reading the Ethernet, IPv4 and TCP headers of a frame: for a driver's
 * checksum offload (sent frames), and for what is decided about a received
 * frame before lwIP sees it (its buffer; a SYN that ends a TIME_WAIT, once
 * its checksums are checked). Pure logic, host-tested. */
#ifndef SKIFF_NET_FRAME_H
#define SKIFF_NET_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_ETH_HEADER 14

struct frame_ipv4 {
	unsigned header;        /* bytes of IPv4 header, from FRAME_ETH_HEADER */
	unsigned total;         /* bytes of the packet: header and payload */
	unsigned proto;         /* 6 TCP, 17 UDP, ... */
	bool fragment;          /* MF set or an offset: the payload may not
				 * start with the protocol's header */
};

static inline unsigned frame_be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

/* Whether `frame` holds an IPv4 packet with sane lengths (Ethernet type
 * IPv4, version 4, a header of at least 20 bytes, a total that covers the
 * header and fits in the frame); fills `out` if so. */
bool frame_ipv4(const uint8_t *frame, size_t len, struct frame_ipv4 *out);

/* Whether a frame carries no data that a socket could queue: ARP, or an
 * IPv4 TCP segment without payload (SYN, ACK, FIN, RST). Such frames free
 * memory rather than hold it. False for anything malformed or truncated,
 * and for every other protocol. */
bool frame_carries_no_data(const uint8_t *frame, size_t len);

/* A TCP segment that opens a connection: SYN without ACK or RST. Addresses
 * and numbers in host byte order. */
struct frame_tcp_syn {
	uint32_t src, dst;
	unsigned src_port, dst_port;
	uint32_t seq;
};

/* Whether `frame` is such a segment in an unfragmented IPv4 packet, whose
 * TCP header fits; fills `out` if so. */
bool frame_tcp_syn(const uint8_t *frame, size_t len, struct frame_tcp_syn *out);

/* Whether `frame` holds an unfragmented IPv4 TCP segment whose IPv4 header
 * checksum and TCP checksum (pseudo-header included) are both right. For a
 * decision taken on a segment before the stack, which checks them too,
 * has seen it. */
bool frame_tcp_checksums_ok(const uint8_t *frame, size_t len);

#endif
