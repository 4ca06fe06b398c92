/* Names and services (<netdb.h>): getaddrinfo and friends, IPv4 only.
 * Numeric addresses (inet_aton's forms, as glibc) and "localhost" resolve
 * here; any other name is asked of the DNS server (from DHCP or dns=)
 * through lwIP. There is no /etc/services: a few well-known service names
 * are built in, numbers always work. Results are one allocation per entry,
 * with its address and canonical name in the same block. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libc-shim/net/socket.h"
#include "lwip/dns.h"

int h_errno;

static const struct {
	const char *name;
	int port;
} services[] = {
	{ "echo", 7 }, { "ftp", 21 }, { "ssh", 22 }, { "smtp", 25 }, { "domain", 53 },
	{ "http", 80 }, { "ntp", 123 }, { "https", 443 }, { "http-alt", 8080 },
};

/* The port of `service` in host order, or an EAI_ error. */
static int service_port(const char *service, int flags)
{
	if (!service)
		return 0;
	char *end;
	long port = strtol(service, &end, 10);
	if (*service && !*end)
		return port >= 0 && port <= 65535 ? (int)port : EAI_SERVICE;
	if (flags & AI_NUMERICSERV)
		return EAI_NONAME;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (!strcasecmp(service, services[i].name))
			return services[i].port;
	return EAI_SERVICE;
}

/* One DNS question in flight: lwIP answers through found(), from its
 * thread, once (with NULL when it gave up after its retries). */
struct lookup {
	struct cond answered;
	bool done;
	bool found;
	struct in_addr addr;
};

static void found(const char *name, const ip_addr_t *ip, void *arg)
{
	struct lookup *q = arg;
	(void)name;
	q->found = ip != NULL;
	if (ip)
		q->addr.s_addr = ip4_addr_get_u32(ip_2_ip4(ip));
	q->done = true;
	cond_broadcast(&q->answered);
}

/* Asks lwIP's DNS client (which answers from its cache when it can). */
static int ask_dns(const char *node, struct in_addr *out)
{
	struct lookup q = { .answered = { WAITQ_INIT } };
	ip_addr_t ip;
	sock_stack_up();
	sock_lock();
	err_t err = dns_gethostbyname(node, &ip, found, &q);
	if (err == ERR_OK) {
		q.found = q.done = true;
		q.addr.s_addr = ip4_addr_get_u32(ip_2_ip4(&ip));
	}
	while (err == ERR_INPROGRESS && !q.done)
		sock_cond_wait(&q.answered, DEADLINE_NONE);
	sock_unlock();
	if (err == ERR_MEM)
		return EAI_MEMORY;
	if (!q.found)
		return EAI_NONAME;
	*out = q.addr;
	return 0;
}

/* The address of `node` (network order) or an EAI_ error. */
static int resolve(const char *node, int flags, struct in_addr *out)
{
	if (!node) {
		out->s_addr = htonl(flags & AI_PASSIVE ? INADDR_ANY : INADDR_LOOPBACK);
		return 0;
	}
	if (inet_aton(node, out))
		return 0;
	if (flags & AI_NUMERICHOST)
		return EAI_NONAME;
	if (!strcasecmp(node, "localhost") || !strcasecmp(node, "localhost.localdomain")) {
		out->s_addr = htonl(INADDR_LOOPBACK);
		return 0;
	}
	return ask_dns(node, out);
}

static struct addrinfo *new_entry(int type, int protocol, struct in_addr addr, int port,
				  const char *canon)
{
	size_t canon_len = canon ? strlen(canon) + 1 : 0;
	struct addrinfo *ai = calloc(1, sizeof(*ai) + sizeof(struct sockaddr_in) + canon_len);
	if (!ai)
		return 0;
	struct sockaddr_in *sin = (struct sockaddr_in *)(ai + 1);
	*sin = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				     .sin_addr = addr };
	*ai = (struct addrinfo){ .ai_family = AF_INET, .ai_socktype = type, .ai_protocol = protocol,
				 .ai_addrlen = sizeof(*sin), .ai_addr = (struct sockaddr *)sin };
	if (canon)
		ai->ai_canonname = memcpy((char *)(sin + 1), canon, canon_len);
	return ai;
}

static int check_hints(const struct addrinfo *h)
{
	const int known = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |
			  AI_ADDRCONFIG | AI_NUMERICSERV;
	if (h->ai_flags & ~known)
		return EAI_BADFLAGS;
	if (h->ai_family != AF_UNSPEC && h->ai_family != AF_INET)
		return EAI_FAMILY;
	if (h->ai_socktype != 0 && h->ai_socktype != SOCK_STREAM && h->ai_socktype != SOCK_DGRAM &&
	    h->ai_socktype != SOCK_RAW)
		return EAI_SOCKTYPE;
	return 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	static const struct { int type, protocol; } kinds[] = {
		{ SOCK_STREAM, IPPROTO_TCP }, { SOCK_DGRAM, IPPROTO_UDP }, { SOCK_RAW, 0 },
	};
	const struct addrinfo none = { 0 };
	const struct addrinfo *h = hints ? hints : &none;
	int err = check_hints(h);
	if (err)
		return err;
	if (!node && !service)
		return EAI_NONAME;
	int port = service_port(service, h->ai_flags);
	if (port < 0)
		return port;
	struct in_addr addr;
	if ((err = resolve(node, h->ai_flags, &addr)))
		return err;
	struct addrinfo *head = 0, **tail = &head;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if ((h->ai_socktype && h->ai_socktype != kinds[i].type) ||
		    (h->ai_protocol && kinds[i].protocol && h->ai_protocol != kinds[i].protocol) ||
		    (kinds[i].type == SOCK_RAW && service))
			continue;       /* raw sockets have no ports (as glibc) */
		const char *canon = !head && (h->ai_flags & AI_CANONNAME) ? (node ? node : "localhost") : 0;
		int protocol = kinds[i].protocol ? kinds[i].protocol : h->ai_protocol;
		if (!(*tail = new_entry(kinds[i].type, protocol, addr, port, canon))) {
			freeaddrinfo(head);
			return EAI_MEMORY;
		}
		tail = &(*tail)->ai_next;
	}
	if (!head)
		return EAI_SERVICE;
	*res = head;
	return 0;
}

void freeaddrinfo(struct addrinfo *ai)
{
	while (ai) {
		struct addrinfo *next = ai->ai_next;
		free(ai);
		ai = next;
	}
}

const char *gai_strerror(int err)
{
	switch (err) {
	case 0: return "Success";
	case EAI_BADFLAGS: return "Bad value for ai_flags";
	case EAI_NONAME: return "Name or service not known";
	case EAI_AGAIN: return "Temporary failure in name resolution";
	case EAI_FAIL: return "Non-recoverable failure in name resolution";
	case EAI_FAMILY: return "ai_family not supported";
	case EAI_SOCKTYPE: return "ai_socktype not supported";
	case EAI_SERVICE: return "Servname not supported for ai_socktype";
	case EAI_MEMORY: return "Memory allocation failure";
	case EAI_SYSTEM: return "System error";
	case EAI_OVERFLOW: return "Argument buffer overflow";
	default: return "Unknown error";
	}
}

/* Numeric answers only: there is no reverse DNS. */
int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
		char *serv, socklen_t servlen, int flags)
{
	if (!sa || salen < sizeof(struct sockaddr_in) || sa->sa_family != AF_INET)
		return EAI_FAMILY;
	struct sockaddr_in sin;
	memcpy(&sin, sa, sizeof(sin));
	if (host && hostlen) {
		if (flags & NI_NAMEREQD)
			return EAI_NONAME;
		if (!inet_ntop(AF_INET, &sin.sin_addr, host, hostlen))
			return EAI_OVERFLOW;
	}
	if (serv && servlen &&
	    snprintf(serv, servlen, "%u", ntohs(sin.sin_port)) >= (int)servlen)
		return EAI_OVERFLOW;
	return 0;
}

struct hostent *gethostbyname(const char *name)
{
	static struct in_addr addr;
	static char *addrs[2] = { (char *)&addr, 0 };
	static char *aliases[1] = { 0 };
	static char canon[256];
	static struct hostent he = { canon, aliases, AF_INET, sizeof(addr), addrs };
	if (!name) {
		h_errno = HOST_NOT_FOUND;
		return 0;
	}
	int err = resolve(name, 0, &addr);
	if (err) {
		h_errno = err == EAI_MEMORY ? TRY_AGAIN : HOST_NOT_FOUND;
		return 0;
	}
	snprintf(canon, sizeof(canon), "%s", name);
	return &he;
}

const char *hstrerror(int err)
{
	switch (err) {
	case HOST_NOT_FOUND: return "Unknown host";
	case TRY_AGAIN: return "Host name lookup failure";
	case NO_RECOVERY: return "Unknown server error";
	case NO_DATA: return "No address associated with name";
	default: return "Unknown resolver error";
	}
}
