#include "lwip-port/frame.h"

enum {
	ETH_HEADER = 14,
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_ARP = 0x0806,
	IPV4_MIN_HEADER = 20,
	TCP_MIN_HEADER = 20,
	PROTO_TCP = 6,
};

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

bool frame_carries_no_data(const uint8_t *frame, size_t len)
{
	if (len < ETH_HEADER)
		return false;
	unsigned type = be16(frame + 12);
	if (type == ETHERTYPE_ARP)
		return true;
	if (type != ETHERTYPE_IPV4 || len < ETH_HEADER + IPV4_MIN_HEADER)
		return false;
	const uint8_t *ip = frame + ETH_HEADER;
	unsigned header = (ip[0] & 0x0Fu) * 4, total = be16(ip + 2);
	bool fragment = (be16(ip + 6) & 0x3FFF) != 0;   /* MF set or an offset */
	if (ip[0] >> 4 != 4 || ip[9] != PROTO_TCP || fragment || header < IPV4_MIN_HEADER ||
	    total > len - ETH_HEADER || total < header + TCP_MIN_HEADER)
		return false;
	unsigned tcp_header = (ip[header + 12] >> 4) * 4u;
	return tcp_header >= TCP_MIN_HEADER && total == header + tcp_header;
}
