/* A server that closes first keeps each connection in TIME_WAIT for two
 * MSL, two minutes in lwIP. Clients choose their own ports, and one may
 * come back on the same port within that time: QEMU's user networking
 * passes the host's port numbers on, and Linux hands a loopback port out
 * again once its own side of the old connection is gone. lwIP answers such
 * a SYN as a stray segment of the old connection, with an ACK and never a
 * new connection; the client resends its SYN seconds later, gets the same
 * answer, and its connect hangs until the TIME_WAIT ends.
 *
 * RFC 1122 4.2.2.13 lets a SYN reopen a connection in TIME_WAIT if the new
 * connection's numbers start beyond the old one's. Linux and the BSDs take
 * such a SYN when its sequence number lies beyond everything the old
 * connection received, and so does this, by ending the old TIME_WAIT right
 * before lwIP sees the SYN, which then meets the listener as any other.
 * Our side's first number is then set beyond everything the old
 * connection sent (lwip-port/tcp_isn.c), as the RFC asks. A SYN whose
 * checksums are wrong ends nothing (lwIP drops it afterwards). Not
 * followed: a SYN that turns out to be an old duplicate cannot bring the
 * TIME_WAIT back (the RFC's fallback), which guards against segments
 * delayed in a network; a virtual link does not delay them. */
#include "drivers/net/frame.h"
#include "lwip-port/tcp_isn.h"
#include "lwip-port/timewait.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcpip.h"

void timewait_admit(const uint8_t *frame, size_t len)
{
	/* Most frames meet no TIME_WAIT at all: then neither their headers
	 * are read nor the lock taken. (Reading the list head unlocked is
	 * safe: the scheduler is cooperative.) */
	struct frame_tcp_syn syn;
	if (!tcp_tw_pcbs || !frame_tcp_syn(frame, len, &syn))
		return;
	LOCK_TCPIP_CORE();
	for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next) {
		if (pcb->local_port != syn.dst_port || pcb->remote_port != syn.src_port ||
		    ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip)) != lwip_htonl(syn.dst) ||
		    ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)) != lwip_htonl(syn.src))
			continue;
		if (TCP_SEQ_GT(syn.seq, pcb->rcv_nxt) && frame_tcp_checksums_ok(frame, len)) {
			skiff_tcp_isn_after_timewait(pcb);
			tcp_abort(pcb);         /* in TIME_WAIT: freed, nothing sent */
		}
		break;                          /* (one pcb per four-tuple) */
	}
	UNLOCK_TCPIP_CORE();
}
