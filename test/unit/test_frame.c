/* Unit tests of the frame header reader (drivers/net/frame.c): the IPv4
 * header checks the checksum offload relies on, the classifier that
 * decides what may use lwIP's heap when the receive pool is empty, and the
 * reader of connection-opening SYNs. */
#include <string.h>

#include "check.h"
#include "drivers/net/frame.h"

enum { ETH = 14 };

static uint8_t frame[1600];

/* An Ethernet frame with an IPv4 TCP segment: `ip_header` and
 * `tcp_header` bytes of headers and `payload` bytes of data; returns its
 * length (at least 60, as on the wire, padding included). */
static size_t tcp_frame(unsigned ip_header, unsigned tcp_header, unsigned payload)
{
	memset(frame, 0, sizeof frame);
	frame[12] = 0x08;
	frame[13] = 0x00;
	uint8_t *ip = frame + ETH;
	unsigned total = ip_header + tcp_header + payload;
	ip[0] = (uint8_t)(0x40 | ip_header / 4);
	ip[2] = (uint8_t)(total >> 8);
	ip[3] = (uint8_t)total;
	ip[6] = 0x40;           /* don't fragment */
	ip[8] = 64;
	ip[9] = 6;
	ip[ip_header + 12] = (uint8_t)(tcp_header / 4 << 4);
	size_t len = ETH + total;
	return len < 60 ? 60 : len;
}

static void test_control_segments(void)
{
	CHECK(frame_carries_no_data(frame, tcp_frame(20, 20, 0)));       /* ACK, padded */
	CHECK(frame_carries_no_data(frame, tcp_frame(20, 40, 0)));       /* SYN with options */
	CHECK(frame_carries_no_data(frame, tcp_frame(24, 32, 0)));       /* IP options too */
	CHECK(frame_carries_no_data(frame, tcp_frame(60, 60, 0)));       /* largest headers */
}

static void test_data_segments(void)
{
	CHECK(!frame_carries_no_data(frame, tcp_frame(20, 20, 1)));
	CHECK(!frame_carries_no_data(frame, tcp_frame(20, 32, 1448)));
	CHECK(!frame_carries_no_data(frame, tcp_frame(20, 20, 6)));      /* fits the padding */
}

static void test_arp_and_others(void)
{
	memset(frame, 0, sizeof frame);
	frame[12] = 0x08;
	frame[13] = 0x06;
	CHECK(frame_carries_no_data(frame, 42));
	CHECK(frame_carries_no_data(frame, 60));
	CHECK(!frame_carries_no_data(frame, 13));

	size_t len = tcp_frame(20, 8, 100);
	frame[ETH + 9] = 17;    /* UDP: its datagrams are queued */
	CHECK(!frame_carries_no_data(frame, len));
	len = tcp_frame(20, 20, 0);
	frame[12] = 0x86;       /* IPv6 */
	frame[13] = 0xDD;
	CHECK(!frame_carries_no_data(frame, len));
}

static void test_malformed(void)
{
	size_t len = tcp_frame(20, 20, 0);
	CHECK(!frame_carries_no_data(frame, ETH + 19));                 /* no full IP header */

	tcp_frame(20, 20, 0);
	frame[ETH] = 0x60 | 5;  /* version 6 in an IPv4 frame */
	CHECK(!frame_carries_no_data(frame, len));

	tcp_frame(20, 20, 0);
	frame[ETH] = 0x44;      /* header length 16 */
	CHECK(!frame_carries_no_data(frame, len));

	len = tcp_frame(20, 20, 100);
	CHECK(!frame_carries_no_data(frame, len - 1));                  /* truncated */

	len = tcp_frame(20, 20, 0);
	frame[ETH + 3] = 30;    /* total length shorter than the TCP header */
	CHECK(!frame_carries_no_data(frame, len));

	len = tcp_frame(20, 20, 0);
	frame[ETH + 20 + 12] = 4 << 4;  /* TCP header length 16 */
	CHECK(!frame_carries_no_data(frame, len));

	len = tcp_frame(20, 20, 0);
	frame[ETH + 20 + 12] = 10 << 4; /* TCP header past the packet's end */
	CHECK(!frame_carries_no_data(frame, len));

	len = tcp_frame(20, 20, 0);
	frame[ETH + 6] = 0x20;  /* more fragments: the bytes after the IP header may not be TCP's */
	CHECK(!frame_carries_no_data(frame, len));
	frame[ETH + 6] = 0x00;
	frame[ETH + 7] = 0x10;  /* a later fragment */
	CHECK(!frame_carries_no_data(frame, len));
}

static void test_ipv4_view(void)
{
	struct frame_ipv4 v;
	size_t len = tcp_frame(24, 20, 100);
	CHECK(frame_ipv4(frame, len, &v));
	CHECK_INT(v.header, 24);
	CHECK_INT(v.total, 144);
	CHECK_INT(v.proto, 6);
	CHECK(!v.fragment);
	frame[ETH + 7] = 1;     /* an offset */
	CHECK(frame_ipv4(frame, len, &v));
	CHECK(v.fragment);
	CHECK(!frame_ipv4(frame, len - 1, &v));                         /* total past the frame */
	frame[ETH + 2] = 0;
	frame[ETH + 3] = 20;    /* total shorter than the header */
	CHECK(!frame_ipv4(frame, len, &v));
}

/* A SYN from 10.0.2.2:40000 to 10.0.2.15:8080 with sequence 0xC0FFEE01
 * and `flags` in the TCP flags byte. */
static size_t syn_frame(uint8_t flags)
{
	size_t len = tcp_frame(20, 40, 0);
	static const uint8_t addrs[8] = { 10, 0, 2, 2, 10, 0, 2, 15 };
	memcpy(frame + ETH + 12, addrs, sizeof addrs);
	uint8_t *tcp = frame + ETH + 20;
	static const uint8_t ports_seq[8] = { 0x9C, 0x40, 0x1F, 0x90, 0xC0, 0xFF, 0xEE, 0x01 };
	memcpy(tcp, ports_seq, sizeof ports_seq);
	tcp[13] = flags;
	return len;
}

static void test_syn(void)
{
	struct frame_tcp_syn s;
	size_t len = syn_frame(0x02);
	CHECK(frame_tcp_syn(frame, len, &s));
	CHECK(s.src == 0x0A000202u);
	CHECK(s.dst == 0x0A00020Fu);
	CHECK_INT(s.src_port, 40000);
	CHECK_INT(s.dst_port, 8080);
	CHECK(s.seq == 0xC0FFEE01u);
	CHECK(frame_tcp_syn(frame, syn_frame(0x02 | 0x08 | 0x40 | 0x80), &s));   /* PSH, ECE, CWR */
	CHECK(!frame_tcp_syn(frame, syn_frame(0x12), &s));      /* SYN-ACK answers one */
	CHECK(!frame_tcp_syn(frame, syn_frame(0x06), &s));      /* SYN with RST */
	CHECK(!frame_tcp_syn(frame, syn_frame(0x10), &s));      /* a plain ACK */
	CHECK(!frame_tcp_syn(frame, syn_frame(0x01), &s));      /* FIN */
	len = syn_frame(0x02);
	frame[ETH + 9] = 17;    /* UDP */
	CHECK(!frame_tcp_syn(frame, len, &s));
	len = syn_frame(0x02);
	frame[ETH + 7] = 1;     /* a fragment's offset: no TCP header there */
	CHECK(!frame_tcp_syn(frame, len, &s));
	len = syn_frame(0x02);
	frame[ETH + 2] = 0;
	frame[ETH + 3] = 39;    /* the IPv4 total leaves no room for TCP's header */
	CHECK(!frame_tcp_syn(frame, len, &s));
	CHECK(!frame_tcp_syn(frame, ETH + 20 + 19, &s));        /* truncated */
}

/* The Internet checksum of the 16-bit words from `a` to `b` and of the
 * `extra` words, written the long way round: each word's carry folded at
 * once. The frame checker sums first and folds at the end. */
static uint16_t reference_checksum(const uint8_t *a, const uint8_t *b, const uint16_t *extra, int extras)
{
	uint16_t sum = 0;
	for (int i = 0; i < extras + (int)((b - a + 1) / 2); i++) {
		uint16_t word;
		if (i < extras) {
			word = extra[i];
		} else {
			const uint8_t *p = a + 2 * (i - extras);
			word = (uint16_t)(p[0] << 8 | (p + 1 < b ? p[1] : 0));
		}
		uint32_t wide = (uint32_t)sum + word;
		sum = (uint16_t)(wide + (wide >> 16));
	}
	return (uint16_t)~sum;
}

/* Gives the frame tcp_frame built right IPv4 and TCP checksums. */
static void fill_checksums(void)
{
	uint8_t *ip = frame + ETH;
	unsigned header = (ip[0] & 15u) * 4, total = (unsigned)(ip[2] << 8 | ip[3]);
	ip[10] = ip[11] = 0;
	uint16_t c = reference_checksum(ip, ip + header, NULL, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	uint8_t *tcp = ip + header;
	tcp[16] = tcp[17] = 0;
	const uint16_t pseudo[] = { (uint16_t)(ip[12] << 8 | ip[13]), (uint16_t)(ip[14] << 8 | ip[15]),
				    (uint16_t)(ip[16] << 8 | ip[17]), (uint16_t)(ip[18] << 8 | ip[19]),
				    6, (uint16_t)(total - header) };
	c = reference_checksum(tcp, ip + total, pseudo, 6);
	tcp[16] = (uint8_t)(c >> 8);
	tcp[17] = (uint8_t)c;
}

static void test_checksums(void)
{
	size_t len = syn_frame(0x02);
	fill_checksums();
	CHECK(frame_tcp_checksums_ok(frame, len));
	/* Every byte of the IPv4 header and the segment is covered: one
	 * flipped bit anywhere is caught. (Bytes that make the packet
	 * unreadable are refused for that reason, which is as good.) */
	int missed = 0;
	for (size_t at = ETH; at < ETH + 60; at++) {
		frame[at] ^= 0x10;
		missed += frame_tcp_checksums_ok(frame, len);
		frame[at] ^= 0x10;
	}
	CHECK_INT(missed, 0);
	CHECK(frame_tcp_checksums_ok(frame, len));
	/* Odd-sized data, whose last byte is summed as a word's high half;
	 * the Ethernet padding beyond the IPv4 total is not summed. */
	len = tcp_frame(20, 20, 7);
	memcpy(frame + ETH + 40, "payload", 7);
	frame[ETH + 33] = 0x18;         /* PSH, ACK */
	fill_checksums();
	CHECK(frame_tcp_checksums_ok(frame, len));
	frame[ETH + 47] = 0xAA;         /* padding */
	CHECK(frame_tcp_checksums_ok(frame, len));
	frame[ETH + 46] ^= 1;           /* the last data byte */
	CHECK(!frame_tcp_checksums_ok(frame, len));
	/* IPv4 options: in the header's checksum, not in TCP's. */
	len = tcp_frame(24, 20, 3);
	frame[ETH + 20] = 0x94;         /* router alert */
	frame[ETH + 21] = 4;
	memcpy(frame + ETH + 44, "abc", 3);
	fill_checksums();
	CHECK(frame_tcp_checksums_ok(frame, len));
	frame[ETH + 22] ^= 1;
	CHECK(!frame_tcp_checksums_ok(frame, len));
	frame[ETH + 22] ^= 1;
	frame[ETH + 24 + 4] ^= 1;       /* the sequence number, after the options */
	CHECK(!frame_tcp_checksums_ok(frame, len));
	/* Not TCP, or not readable: no verdict of "right". */
	len = syn_frame(0x02);
	frame[ETH + 9] = 17;
	fill_checksums();
	CHECK(!frame_tcp_checksums_ok(frame, len));
	CHECK(!frame_tcp_checksums_ok(frame, ETH + 39));
}

int main(void)
{
	test_syn();
	test_checksums();
	test_ipv4_view();
	test_control_segments();
	test_data_segments();
	test_arp_and_others();
	test_malformed();
	return check_report();
}
