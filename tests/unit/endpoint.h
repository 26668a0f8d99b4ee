/* SPDX-License-Identifier: GPL-2.0 */
/* IPv4 endpoints (address and UDP port) for the IKE tests: made, read and moved. */
#ifndef NFSEC_TEST_ENDPOINT_H
#define NFSEC_TEST_ENDPOINT_H

#include <stdint.h>
#include <sys/socket.h>

/* addr (dotted IPv4, which must parse) at port. */
struct sockaddr_storage endpoint4(const char *addr, uint16_t port);
uint16_t endpoint_port(const struct sockaddr_storage *ss);
void endpoint_port_set(struct sockaddr_storage *ss, uint16_t port);

#endif /* NFSEC_TEST_ENDPOINT_H */
