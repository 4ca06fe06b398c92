#include "drivers/net/frame.h"

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_ARP = 0x0806,
	IPV4_MIN_HEADER = 20,
	TCP_MIN_HEADER = 20,
	PROTO_TCP = 6,
};

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
	if (!frame_ipv4(frame, len, &v) || v.proto != PROTO_TCP || v.fragment ||
	    v.total < v.header + TCP_MIN_HEADER)
		return false;
	unsigned tcp_header = (frame[FRAME_ETH_HEADER + v.header + 12] >> 4) * 4u;
	return tcp_header >= TCP_MIN_HEADER && v.total == v.header + tcp_header;
}
