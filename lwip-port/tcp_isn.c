/* lwIP's first sequence numbers from lwip-port/isn.c (see tcp_isn.h). The
 * hook runs with lwIP's core lock held; the frame notes come from the NIC
 * driver's thread, which the cooperative scheduler never interrupts. */
#include "kernel/arch.h"
#include "kernel/random.h"
#include "lwip-port/isn.h"
#include "lwip-port/tcp_isn.h"
#include "lwip/tcp.h"

static struct isn_pool pool;
static struct isn_key key;
static bool keyed;
static struct isn_floors after_timewait;

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

void skiff_tcp_isn_note_frame(void)
{
	if (!keyed)
		isn_stir(&pool, arch_cycles());
}

u32_t skiff_tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip,
		    u16_t remote_port)
{
	/* The key is drawn at the first connection: random_fill gives the
	 * CPU's generator where there is one (and warns where there is not);
	 * the pool holds the cycle counter at every frame received until then
	 * (the first SYN's included), whose low bits the host's timing
	 * decides. */
	if (!keyed) {
		uint64_t drawn[2];
		random_fill(drawn, sizeof drawn);
		isn_key_from(&key, &pool, drawn[0], drawn[1]);
		keyed = true;
	}
	uint64_t now = arch_monotonic_ns();
	struct isn_tuple t = tuple_of(local_ip, local_port, remote_ip, remote_port);
	return isn_floor_apply(&after_timewait, &t, isn_generate(&key, &t, now), now);
}

void skiff_tcp_isn_after_timewait(const struct tcp_pcb *old)
{
	struct isn_tuple t = tuple_of(&old->local_ip, old->local_port, &old->remote_ip, old->remote_port);
	isn_floor_arm(&after_timewait, &t, old->snd_nxt, arch_monotonic_ns());
}
