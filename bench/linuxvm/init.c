/* init: PID 1 of the Linux microVM baseline (bench/linuxvm).
 *
 * Built with `gcc -static -O2` and put at /init in the initramfs by
 * bench/linuxvm/mkinitramfs. In order it:
 *   1. mounts devtmpfs on /dev (for /dev/console), /proc and /sys;
 *   2. loads the kernel modules listed in /lib/modules/modules.dep, each
 *      after its dependencies, with finit_module(2); "MOD.PARAM=VALUE"
 *      words of the kernel command line are passed to module MOD as modprobe
 *      would (the kernel itself does not do that for loadable modules);
 *   3. brings up lo and the NIC with ioctl (SIOCSIFADDR, SIOCSIFNETMASK,
 *      SIOCSIFFLAGS), adds a default route (SIOCADDRT) and announces the
 *      address with a gratuitous ARP, as skiff does (QEMU's SLIRP learns the
 *      guest's MAC from it; otherwise the first connection forwarded to the
 *      guest waits for an ARP exchange and a SYN retransmission);
 *   4. runs the server and waits for it, reaping orphans meanwhile;
 *   5. prints the server's exit status and powers the machine off.
 *
 * Kernel command line words read from /proc/cmdline:
 *   skiff.run=PATH          program to run (default /bin/httpd)
 *   skiff.args=A,B,C        its argv[1..], comma-separated
 *   skiff.ip=ADDR/PREFIX    NIC address (default 10.0.2.15/24, QEMU SLIRP)
 *   skiff.gw=ADDR           default gateway (default 10.0.2.2; "none": no route)
 *   skiff.if=NAME           NIC name (default eth0)
 *
 * Exit status: like a skiff guest, the status n goes to QEMU's debug console
 * (port 0xE9) as "skiff-exit n" and to isa-debug-exit (port 0xF4, QEMU exits
 * with 2n+1) when those devices exist; otherwise reboot(RB_POWER_OFF) ends
 * the VM. Every failure is reported on the console, then the VM powers off:
 * it never hangs. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MODS 64
#define MAX_DEPS 16
#define MAX_ARGS 64
#define EXIT_INIT_FAILED 126 /* our own failures before the server ran */

static char cmdline[4096];

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n = snprintf(buf, sizeof buf, "init: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof buf - 1)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	if (write(2, buf, (size_t)n) < 0) {
		/* no console: nothing else to tell it to */
	}
}

static double uptime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Report the status on QEMU's exit channels, then power off. */
static void __attribute__((noreturn)) finish(int status)
{
	char msg[32];
	int n = snprintf(msg, sizeof msg, "skiff-exit %d\n", status);
	sync();
	if (ioperm(0xe9, 1, 1) == 0)
		for (int i = 0; i < n; i++)
			outb((unsigned char)msg[i], 0xe9);
	if (ioperm(0xf4, 4, 1) == 0)
		outl((unsigned)status & 0xff, 0xf4); /* QEMU exits here if present */
	reboot(RB_POWER_OFF);
	say("reboot(RB_POWER_OFF) failed: %s; halting", strerror(errno));
	reboot(RB_HALT_SYSTEM);
	for (;;)
		pause();
}

static void __attribute__((noreturn)) fail(const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	say("FAILED: %s", buf);
	say("exit status %d (init failure); powering off", EXIT_INIT_FAILED);
	finish(EXIT_INIT_FAILED);
}

static void setup_console(void)
{
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) != 0 && errno != EBUSY) {
		/* No console to complain on yet: still try the kernel's. */
	}
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		fd = open("/dev/ttyS0", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		for (int i = 0; i < 3; i++)
			if (fd != i)
				dup2(fd, i);
		if (fd > 2)
			close(fd);
	}
}

static void mount_or_fail(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0555);
	if (mount(src, dir, type, 0, NULL) != 0 && errno != EBUSY)
		fail("mount %s on %s: %s", type, dir, strerror(errno));
}

static void read_cmdline(void)
{
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		fail("open /proc/cmdline: %s", strerror(errno));
	ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
	close(fd);
	if (n < 0)
		fail("read /proc/cmdline: %s", strerror(errno));
	cmdline[n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (cmdline[i] == '\n')
			cmdline[i] = ' ';
}

/* Value of the command line word "key=VALUE" copied to out; NULL if absent. */
static const char *param(const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	const char *p = cmdline, *found = NULL;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - w) > klen && strncmp(w, key, klen) == 0 && w[klen] == '=')
			found = w + klen + 1; /* the last one wins, as in the kernel */
	}
	if (!found)
		return NULL;
	size_t n = strcspn(found, " ");
	if (n >= outsz)
		fail("kernel command line: %s= is too long", key);
	memcpy(out, found, n);
	out[n] = 0;
	return out;
}

/* ---- modules ---------------------------------------------------------- */

struct module {
	char path[128];  /* relative to /lib/modules */
	char name[64];   /* as the kernel names it: basename, '-' -> '_' */
	int deps[MAX_DEPS];
	int ndeps;
	int state; /* 0 not loaded, 1 loading, 2 loaded */
};
static struct module mods[MAX_MODS];
static int nmods;

static void module_name(const char *path, char *out, size_t outsz)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strcspn(b, ".");
	if (n >= outsz)
		n = outsz - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = b[i] == '-' ? '_' : b[i];
	out[n] = 0;
}

static int find_module(const char *path)
{
	for (int i = 0; i < nmods; i++)
		if (strcmp(mods[i].path, path) == 0)
			return i;
	if (nmods == MAX_MODS)
		fail("modules.dep: more than %d modules", MAX_MODS);
	if (strlen(path) >= sizeof mods[0].path)
		fail("modules.dep: path too long: %s", path);
	struct module *m = &mods[nmods];
	strcpy(m->path, path);
	module_name(path, m->name, sizeof m->name);
	return nmods++;
}

/* modules.dep format: "a.ko: dep1.ko dep2.ko" per line. */
static void read_modules_dep(void)
{
	static char buf[16384];
	int fd = open("/lib/modules/modules.dep", O_RDONLY);
	if (fd < 0) {
		if (errno == ENOENT)
			return; /* a kernel with the NIC built in needs none */
		fail("open /lib/modules/modules.dep: %s", strerror(errno));
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0 || n == (ssize_t)sizeof buf - 1)
		fail("read /lib/modules/modules.dep: %s", n < 0 ? strerror(errno) : "too large");
	buf[n] = 0;
	char *save_line;
	for (char *line = strtok_r(buf, "\n", &save_line); line; line = strtok_r(NULL, "\n", &save_line)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		int m = find_module(line);
		char *save_word;
		for (char *w = strtok_r(colon + 1, " \t", &save_word); w; w = strtok_r(NULL, " \t", &save_word)) {
			if (mods[m].ndeps == MAX_DEPS)
				fail("modules.dep: %s has too many dependencies", line);
			int d = find_module(w);
			mods[m].deps[mods[m].ndeps++] = d;
		}
	}
}

/* "MOD.PARAM=VALUE" words of the command line for module name -> "PARAM=VALUE ..." */
static void module_params(const char *name, char *out, size_t outsz)
{
	size_t len = 0, nlen = strlen(name);
	const char *p = cmdline;
	out[0] = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - w);
		if (wlen <= nlen + 1 || w[nlen] != '.')
			continue;
		int match = 1;
		for (size_t i = 0; i < nlen && match; i++)
			match = (w[i] == '-' ? '_' : w[i]) == name[i];
		if (!match)
			continue;
		if (len + wlen - nlen - 1 + 2 > outsz)
			fail("kernel command line: too many parameters for module %s", name);
		if (len)
			out[len++] = ' ';
		memcpy(out + len, w + nlen + 1, wlen - nlen - 1);
		len += wlen - nlen - 1;
		out[len] = 0;
	}
}

static void load_module(int i, int depth)
{
	struct module *m = &mods[i];
	if (m->state == 2)
		return;
	if (m->state == 1 || depth > MAX_MODS)
		fail("modules.dep: dependency cycle at %s", m->path);
	m->state = 1;
	for (int d = 0; d < m->ndeps; d++)
		load_module(m->deps[d], depth + 1);
	char path[160], params[512];
	snprintf(path, sizeof path, "/lib/modules/%s", m->path);
	module_params(m->name, params, sizeof params);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("open module %s: %s", path, strerror(errno));
	if (syscall(SYS_finit_module, fd, params, 0) != 0 && errno != EEXIST)
		fail("finit_module %s%s%s: %s", m->name, params[0] ? " " : "", params, strerror(errno));
	close(fd);
	m->state = 2;
}

/* ---- network ---------------------------------------------------------- */

static void set_addr(struct sockaddr *sa, in_addr_t a)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = a;
	memcpy(sa, &sin, sizeof sin);
}

static in_addr_t parse_ip(const char *what, const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		fail("%s: not an IPv4 address: '%s'", what, s);
	return a.s_addr;
}

static void if_up(int sock, const char *name)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0)
		fail("SIOCGIFFLAGS %s: %s", name, strerror(errno));
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0)
		fail("SIOCSIFFLAGS %s up: %s", name, strerror(errno));
}

static void if_addr(int sock, const char *name, in_addr_t addr, in_addr_t mask)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	set_addr(&ifr.ifr_addr, addr);
	if (ioctl(sock, SIOCSIFADDR, &ifr) != 0)
		fail("SIOCSIFADDR %s: %s", name, strerror(errno));
	set_addr(&ifr.ifr_netmask, mask);
	if (ioctl(sock, SIOCSIFNETMASK, &ifr) != 0)
		fail("SIOCSIFNETMASK %s: %s", name, strerror(errno));
}

/* One gratuitous ARP request (sender = target = addr) on the NIC. A failure
 * is only reported: the network still works without it, just later. */
static void gratuitous_arp(int sock, const char *name, in_addr_t addr)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr) != 0) {
		say("warning: SIOCGIFHWADDR %s: %s (no gratuitous ARP)", name, strerror(errno));
		return;
	}
	unsigned char mac[ETH_ALEN];
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);

	struct __attribute__((packed)) {
		struct ether_header eth;
		struct arphdr arp;
		unsigned char sha[ETH_ALEN], spa[4], tha[ETH_ALEN], tpa[4];
	} pkt;
	memset(&pkt, 0, sizeof pkt);
	memset(pkt.eth.ether_dhost, 0xff, ETH_ALEN);
	memcpy(pkt.eth.ether_shost, mac, ETH_ALEN);
	pkt.eth.ether_type = htons(ETHERTYPE_ARP);
	pkt.arp.ar_hrd = htons(ARPHRD_ETHER);
	pkt.arp.ar_pro = htons(ETHERTYPE_IP);
	pkt.arp.ar_hln = ETH_ALEN;
	pkt.arp.ar_pln = 4;
	pkt.arp.ar_op = htons(ARPOP_REQUEST);
	memcpy(pkt.sha, mac, ETH_ALEN);
	memcpy(pkt.spa, &addr, 4);
	memcpy(pkt.tpa, &addr, 4);

	struct sockaddr_ll ll;
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_ARP);
	ll.sll_ifindex = (int)if_nametoindex(name);
	ll.sll_halen = ETH_ALEN;
	memset(ll.sll_addr, 0xff, ETH_ALEN);
	int ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (ps < 0) {
		say("warning: socket(AF_PACKET): %s (no gratuitous ARP)", strerror(errno));
		return;
	}
	if (sendto(ps, &pkt, sizeof pkt, 0, (struct sockaddr *)&ll, sizeof ll) != (ssize_t)sizeof pkt)
		say("warning: gratuitous ARP on %s: %s", name, strerror(errno));
	close(ps);
}

static void setup_network(void)
{
	char ipbuf[64], gwbuf[64], ifbuf[IFNAMSIZ];
	const char *ifname = param("skiff.if", ifbuf, sizeof ifbuf);
	const char *ip = param("skiff.ip", ipbuf, sizeof ipbuf);
	const char *gw = param("skiff.gw", gwbuf, sizeof gwbuf);
	if (!ifname)
		ifname = "eth0";
	if (!ip)
		ip = strcpy(ipbuf, "10.0.2.15/24");
	if (!gw)
		gw = "10.0.2.2";

	int prefix = 24;
	char *slash = strchr(ipbuf, '/');
	if (slash) {
		char *end;
		long v = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || v < 0 || v > 32)
			fail("skiff.ip: bad prefix length in '%s'", ip);
		prefix = (int)v;
		*slash = 0;
	}
	in_addr_t addr = parse_ip("skiff.ip", ipbuf);
	in_addr_t mask = htonl(prefix ? 0xffffffffu << (32 - prefix) : 0);

	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		fail("socket(AF_INET): %s", strerror(errno));

	if_addr(sock, "lo", htonl(INADDR_LOOPBACK), htonl(0xff000000u));
	if_up(sock, "lo");

	/* The driver registers the NIC during finit_module; wait a little in
	 * case probing was deferred. */
	double deadline = uptime() + 5.0;
	while (if_nametoindex(ifname) == 0) {
		if (uptime() > deadline)
			fail("no network interface '%s' (is the virtio NIC present and its driver loaded?)", ifname);
		usleep(10000);
	}
	if_addr(sock, ifname, addr, mask);
	if_up(sock, ifname);

	if (strcmp(gw, "none") != 0) {
		struct rtentry rt;
		memset(&rt, 0, sizeof rt);
		set_addr(&rt.rt_dst, INADDR_ANY);
		set_addr(&rt.rt_genmask, INADDR_ANY);
		set_addr(&rt.rt_gateway, parse_ip("skiff.gw", gw));
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_dev = (char *)ifname;
		if (ioctl(sock, SIOCADDRT, &rt) != 0 && errno != EEXIST)
			fail("SIOCADDRT default via %s: %s", gw, strerror(errno));
	}
	gratuitous_arp(sock, ifname, addr);
	close(sock);
	say("%s %s/%d gateway %s (%.3f s since boot)", ifname, ipbuf, prefix, gw, uptime());
}

/* ---- the server ------------------------------------------------------- */

static int run_server(void)
{
	static char runbuf[256], argsbuf[1024];
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	const char *run = param("skiff.run", runbuf, sizeof runbuf);
	if (!run)
		run = "/bin/httpd";
	argv[argc++] = (char *)run;
	if (param("skiff.args", argsbuf, sizeof argsbuf)) {
		char *save;
		for (char *a = strtok_r(argsbuf, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
			if (argc == MAX_ARGS + 1)
				fail("skiff.args: more than %d arguments", MAX_ARGS);
			argv[argc++] = a;
		}
	}
	argv[argc] = NULL;
	if (access(run, X_OK) != 0)
		fail("cannot run %s: %s", run, strerror(errno));

	char *envp[] = {"PATH=/bin", "HOME=/", "TERM=dumb", NULL};
	pid_t pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		setsid();
		execve(run, argv, envp);
		say("FAILED: execve %s: %s", run, strerror(errno));
		_exit(127);
	}
	say("started %s (pid %d)", run, (int)pid);
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, 0);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail("waitpid: %s", strerror(errno));
		}
		if (w != pid)
			continue; /* an orphan the server left behind */
		if (WIFEXITED(st)) {
			say("%s exited with status %d", run, WEXITSTATUS(st));
			return WEXITSTATUS(st);
		}
		if (WIFSIGNALED(st)) {
			say("%s killed by signal %d (%s)", run, WTERMSIG(st), strsignal(WTERMSIG(st)));
			return 128 + WTERMSIG(st);
		}
	}
}

int main(void)
{
	setup_console();
	if (getpid() != 1)
		fail("must run as PID 1 (the initramfs /init)");
	mount_or_fail("proc", "/proc", "proc");
	mount_or_fail("sysfs", "/sys", "sysfs");
	read_cmdline();
	say("up %.3f s since boot", uptime());

	read_modules_dep();
	for (int i = 0; i < nmods; i++)
		load_module(i, 0);
	if (nmods)
		say("%d modules loaded (%.3f s since boot)", nmods, uptime());

	setup_network();
	int status = run_server();
	say("exit status %d; powering off", status);
	finish(status);
}
