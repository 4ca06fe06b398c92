#include "drivers/net/frame.h"

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_ARP = 0x0806,
	IPV4_MIN_HEADER = 20,
	TCP_MIN_HEADER = 20,
	PROTO_TCP = 6,
	TCP_FLAG_SYN = 0x02,
	TCP_FLAG_RST = 0x04,
	TCP_FLAG_ACK = 0x10,
};

static uint32_t be32(const uint8_t *p) { return (uint32_t)frame_be16(p) << 16 | frame_be16(p + 2); }

/* The TCP header of an unfragmented IPv4 packet, or NULL. */
static const uint8_t *tcp_header(const uint8_t *frame, size_t len, struct frame_ipv4 *v)
{
	if (!frame_ipv4(frame, len, v) || v->proto != PROTO_TCP || v->fragment ||
	    v->total < v->header + TCP_MIN_HEADER)
		return NULL;
	return frame + FRAME_ETH_HEADER + v->header;
}

/* The Internet checksum's running sum (RFC 1071) of `len` bytes, added to
 * `sum`; folded only by ones_complement_ok. */
static uint32_t ones_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += frame_be16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* A field checksummed with the rest sums to all ones. */
static bool ones_complement_ok(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return sum == 0xFFFF;
}

bool frame_ipv4(const uint8_t *frame, size_t len, struct frame_ipv4 *out)
{
	if (len < FRAME_ETH_HEADER + IPV4_MIN_HEADER || frame_be16(frame + 12) != ETHERTYPE_IPV4)
		return false;
	const uint8_t *ip = frame + FRAME_ETH_HEADER;
	unsigned header = (ip[0] & 0x0Fu) * 4, total = frame_be16(ip + 2);
	if (ip[0] >> 4 != 4 || header < IPV4_MIN_HEADER || total < header || total > len - FRAME_ETH_HEADER)
		return false;
	*out = (struct frame_ipv4){
		.header = header,
		.total = total,
		.proto = ip[9],
		.fragment = (frame_be16(ip + 6) & 0x3FFF) != 0,
	};
	return true;
}

bool frame_carries_no_data(const uint8_t *frame, size_t len)
{
	if (len >= FRAME_ETH_HEADER && frame_be16(frame + 12) == ETHERTYPE_ARP)
		return true;
	struct frame_ipv4 v;
	const uint8_t *tcp = tcp_header(frame, len, &v);
	if (!tcp)
		return false;
	unsigned tcp_length = (tcp[12] >> 4) * 4u;
	return tcp_length >= TCP_MIN_HEADER && v.total == v.header + tcp_length;
}

bool frame_tcp_syn(const uint8_t *frame, size_t len, struct frame_tcp_syn *out)
{
	struct frame_ipv4 v;
	const uint8_t *tcp = tcp_header(frame, len, &v);
	if (!tcp || (tcp[13] & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) != TCP_FLAG_SYN)
		return false;
	const uint8_t *ip = frame + FRAME_ETH_HEADER;
	*out = (struct frame_tcp_syn){
		.src = be32(ip + 12),
		.dst = be32(ip + 16),
		.src_port = frame_be16(tcp),
		.dst_port = frame_be16(tcp + 2),
		.seq = be32(tcp + 4),
	};
	return true;
}

bool frame_tcp_checksums_ok(const uint8_t *frame, size_t len)
{
	struct frame_ipv4 v;
	const uint8_t *tcp = tcp_header(frame, len, &v);
	if (!tcp)
		return false;
	const uint8_t *ip = frame + FRAME_ETH_HEADER;
	if (!ones_complement_ok(ones_sum(ip, v.header, 0)))
		return false;
	unsigned tcp_total = v.total - v.header;
	uint32_t pseudo = ones_sum(ip + 12, 8, PROTO_TCP + tcp_total);     /* addresses, protocol, length */
	return ones_complement_ok(ones_sum(tcp, tcp_total, pseudo));
}
