/* lwIP configuration for skiff: the full stack (NO_SYS=0) on the
 * cooperative scheduler, sockets for libc-shim, IPv4 with DHCP and DNS.
 * Sized for a server guest: many connections, windows big enough for
 * throughput on a virtio NIC. */
#ifndef SKIFF_LWIPOPTS_H
#define SKIFF_LWIPOPTS_H

#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1          /* sys_arch_protect = interrupts off */
#define LWIP_TCPIP_CORE_LOCKING 1       /* sockets call the core under a mutex */
/* Received frames enter the stack on the NIC's driver thread under the
 * core lock, not through the tcpip mailbox: one thread switch less per
 * frame, and no small message pool to overflow in a burst (lwIP's default
 * of 8 pending input messages dropped frames under 16 new connections). */
#define LWIP_TCPIP_CORE_LOCKING_INPUT 1

/* Memory: lwIP's heap from malloc, fixed pools for the hot objects. */
#define MEM_LIBC_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEMP_NUM_PBUF 256
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_TCP_PCB 256
#define MEMP_NUM_TCP_PCB_LISTEN 16
/* Queued segments of all connections: enough for 120 connections whose
 * peers stopped reading, each with a full send buffer of 33 segments (at
 * 1024 the 31st such connection left the others no segment, not even for
 * a SYN-ACK). 32 bytes each. */
#define MEMP_NUM_TCP_SEG 4096
#define MEMP_NUM_TCPIP_MSG_API 64       /* netifapi calls */
#define MEMP_NUM_TCPIP_MSG_INPKT 256
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8 + 4) /* + a DHCP timer per NIC (NETDEV_MAX) */
/* Received frames go to buffers of lwip-port/rxbuf.c, which grow with the
 * traffic and shrink after it; lwIP's fixed pool is left unused. */
#define LWIP_SUPPORT_CUSTOM_PBUF 1
#define PBUF_POOL_SIZE 1
#define PBUF_POOL_BUFSIZE 256
/* lwIP's build-time checks would hold the window against that pool. The
 * others they make are met: TCP_WND and TCP_SND_BUF of 32 segments,
 * TCP_SND_QUEUELEN of 4 segments per segment of buffer. */
#define LWIP_DISABLE_TCP_SANITY_CHECKS 1

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 1
/* Packets for a neighbour whose address is still being resolved wait in a
 * queue, as on Linux. lwIP's default keeps only the latest one: when a burst
 * of clients connects before the gateway's MAC is known, every SYN-ACK but
 * the last is dropped and those clients stall for the 3 s SYN-ACK
 * retransmission (seen as wrk's p99 at -c32 through SLIRP). */
#define ARP_QUEUEING 1
#define ARP_QUEUE_LEN 64
#define MEMP_NUM_ARP_QUEUE 128
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
/* 127.0.0.1 (lo) and packets to our own addresses loop back through the
 * tcpip thread, so a guest can talk to itself. */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_RAW 1
#define LWIP_DHCP 0                     /* skiff's own client: lwip-port/dhcp.c */
/* ...whose replies, to port 68, get in before the interface has an address. */
#define LWIP_IP_ACCEPT_UDP_PORT(port) ((port) == PP_NTOHS(68))
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 2
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_IGMP 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1

/* TCP: MSS for a 1500-byte MTU, windows of 32 segments. */
#define TCP_MSS 1460
#define TCP_WND (32 * TCP_MSS)
#define TCP_SND_BUF (32 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF) / TCP_MSS)
#define TCP_LISTEN_BACKLOG 1
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_SACK_OUT 1
#define TCP_QUEUE_OOSEQ 1
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2

/* Only the raw APIs: libc-shim/net builds the POSIX sockets on them (its
 * socket.h says why), so lwIP's netconn and socket layers are left out. */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
/* <netinet/in.h> has htons() and friends as inline functions: lwIP must
 * not turn those names into macros. */
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1
#define lwip_htons(x) __builtin_bswap16(x)
#define lwip_htonl(x) __builtin_bswap32(x)
#define SO_REUSE 1                      /* SO_REUSEADDR */
#define LWIP_TCP_KEEPALIVE 1            /* TCP_KEEPIDLE and friends */
#define LWIP_NETIF_API 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1

/* Threads: the tcpip thread's mailbox and stacks. */
#define TCPIP_MBOX_SIZE 256
#define TCPIP_THREAD_STACKSIZE (64 * 1024)
#define DEFAULT_THREAD_STACKSIZE (64 * 1024)
#define TCPIP_THREAD_NAME "tcpip"

/* Checksums per interface: a NIC that computes TCP/UDP checksums on
 * transmit (virtio-net VIRTIO_NET_F_CSUM) saves the guest the work. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1

/* TCP's first sequence numbers as RFC 6528 has them (lwip-port/tcp_isn.c):
 * lwIP's own are a counter that anyone who saw one can continue. */
#define LWIP_HOOK_FILENAME "lwip-port/tcp_isn.h"
#define LWIP_HOOK_TCP_ISN skiff_tcp_isn

/* Checks and statistics. */
#define LWIP_STATS 0
#define LWIP_NOASSERT_ON_ERROR 0
/* LWIP_PROVIDE_ERRNO stays undefined (lwIP tests #ifdef): errno is picolibc's */

#endif
