// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "endpoint.h"

struct sockaddr_storage endpoint4(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
	return ss;
}

uint16_t endpoint_port(const struct sockaddr_storage *ss)
{
	assert_int_equal(ss->ss_family, AF_INET);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

void endpoint_port_set(struct sockaddr_storage *ss, uint16_t port)
{
	assert_int_equal(ss->ss_family, AF_INET);
	((struct sockaddr_in *)ss)->sin_port = htons(port);
}
