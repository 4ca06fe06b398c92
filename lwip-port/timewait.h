/* A new connection on the addresses and ports of one in TIME_WAIT. */
#ifndef SKIFF_LWIP_PORT_TIMEWAIT_H
#define SKIFF_LWIP_PORT_TIMEWAIT_H

#include <stddef.h>
#include <stdint.h>

/* Called for each received frame (`len` bytes) before lwIP sees it; takes
 * the core lock when the frame is a SYN and some connection is in
 * TIME_WAIT. Ends the TIME_WAIT that the SYN's connection would collide
 * with, when the SYN starts beyond everything that connection received and
 * its checksums are right. */
void timewait_admit(const uint8_t *frame, size_t len);

#endif
