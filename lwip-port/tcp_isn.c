/* lwIP's first sequence numbers from lwip-port/isn.c (see tcp_isn.h).
 * Called by lwIP with the core lock held, which also guards this state. */
#include "kernel/arch.h"
#include "lwip-port/isn.h"
#include "lwip-port/tcp_isn.h"
#include "lwip/tcp.h"

static struct isn_key key;
static bool keyed;
static struct isn_floor after_timewait;

static struct isn_tuple tuple_of(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
				 u16_t remote_port)
{
	return (struct isn_tuple){
		.local = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(local_ip))),
		.remote = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(remote_ip))),
		.local_port = local_port,
		.remote_port = remote_port,
	};
}

u32_t skiff_tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
		    u16_t remote_port)
{
	/* Keyed at the first connection, when the cycle counter that seeds
	 * arch_random64 without RDRAND has moved on from its boot value. */
	if (!keyed) {
		key.k0 = arch_random64();
		key.k1 = arch_random64();
		keyed = true;
	}
	struct isn_tuple t = tuple_of(local_ip, local_port, remote_ip, remote_port);
	return isn_floor_apply(&after_timewait, &t, isn_generate(&key, &t, arch_monotonic_ns()));
}

void skiff_tcp_isn_after_timewait(const struct tcp_pcb *old)
{
	struct isn_tuple t = tuple_of(&old->local_ip, old->local_port, &old->remote_ip, old->remote_port);
	isn_floor_arm(&after_timewait, &t, old->snd_nxt);
}
