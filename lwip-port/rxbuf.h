/* Buffers for received frames (rxbuf.c): lwIP pbufs of one frame each,
 * taken from pages as the traffic needs them, up to a share of the memory. */
#ifndef SKIFF_LWIP_PORT_RXBUF_H
#define SKIFF_LWIP_PORT_RXBUF_H

#include "lwip/pbuf.h"

/* Bytes of frame one buffer holds: an Ethernet frame at MTU 1500, with room
 * for a VLAN tag. */
#define RXBUF_FRAME_MAX 1536

/* A pbuf for a frame of `len` bytes (at most RXBUF_FRAME_MAX), or NULL when
 * the budget is spent and every buffer is in use. pbuf_free gives it back. */
struct pbuf *rxbuf_alloc(u16_t len);

/* Buffers the pages taken now hold, in use or free. */
size_t rxbuf_count(void);

#endif
