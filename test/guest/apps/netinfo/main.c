/* Guest test of network bring-up: the kernel starts the network before
 * main (this app links it by calling net_describe), and main prints the
 * interfaces again. */
#include <stdio.h>

void net_describe(void);        /* lwip-port/net.h, not a public API */

int main(void)
{
	printf("netinfo: main reached\n");
	fflush(stdout);
	net_describe();
	return 0;
}
