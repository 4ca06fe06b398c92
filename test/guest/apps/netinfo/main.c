/* Guest test of network bring-up: the kernel starts the network before
 * main (this app links it by calling net_describe), and main prints the
 * interfaces again. With `--stay SECONDS` it then idles that long, so a
 * test can reach the guest from outside (ping answers come from lwIP). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void net_describe(void);        /* lwip-port/net.h, not a public API */

int main(int argc, char **argv)
{
	printf("netinfo: main reached\n");
	fflush(stdout);
	net_describe();
	if (argc == 3 && strcmp(argv[1], "--stay") == 0) {
		printf("netinfo: staying up %s s\n", argv[2]);
		fflush(stdout);
		sleep((unsigned)atoi(argv[2]));
	}
	return 0;
}
