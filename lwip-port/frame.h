/* Classifying received Ethernet frames before the stack sees them. Pure
 * logic, host-tested. */
#ifndef SKIFF_LWIP_PORT_FRAME_H
#define SKIFF_LWIP_PORT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether a frame carries no data that a socket could queue: ARP, or an
 * IPv4 TCP segment without payload (SYN, ACK, FIN, RST). Such frames free
 * memory rather than hold it. False for anything malformed or truncated,
 * and for every other protocol. */
bool frame_carries_no_data(const uint8_t *frame, size_t len);

#endif
