/* Unix-domain socket addresses (<sys/un.h>). The type exists so programs
 * compile; socket(AF_UNIX, ...) fails with EAFNOSUPPORT. */
#ifndef _SYS_UN_H
#define _SYS_UN_H

#include <sys/socket.h>

struct sockaddr_un {
	sa_family_t sun_family;
	char sun_path[108];
};

#endif
