/* lwIP's LWIP_HOOK_FILENAME (lwipopts.h): what its hooks call. Included by
 * lwIP's own sources after their headers. */
#ifndef SKIFF_LWIP_PORT_TCP_ISN_H
#define SKIFF_LWIP_PORT_TCP_ISN_H

#include "lwip/ip_addr.h"

struct tcp_pcb;

/* LWIP_HOOK_TCP_ISN: the first sequence number of a new connection, as
 * RFC 6528 has it (lwip-port/isn.h) instead of lwIP's counter, whose
 * numbers anyone can predict. */
u32_t skiff_tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
		    u16_t remote_port);

/* Called with the core lock held for a TIME_WAIT connection about to be
 * ended for a new one on its ports (lwip-port/timewait.c): the new one
 * then starts beyond everything the old one sent. */
void skiff_tcp_isn_after_timewait(const struct tcp_pcb *old);

/* Called for every frame received: until the key is drawn, the moment is
 * a sample for it (lwip-port/isn.h, struct isn_pool). */
void skiff_tcp_isn_note_frame(void);

#endif
