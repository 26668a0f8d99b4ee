/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The monitor command's printer, apart from monitor_main() so the unit tests can drive it
 * without netlink.
 */
#ifndef NFSEC_CLI_MONITOR_H
#define NFSEC_CLI_MONITOR_H

#include <stdbool.h>
#include <stdio.h>

#include <nfsec.h>

/*
 * One line for ev: "policy add " and the line "policy show" prints, "sa del " and the line
 * of "sa show", "acquire policy 4 flow A -> B proto P", "expire soft spi 0x1000 dst D"...;
 * or with json one object, {"event":"policy-add","policy":{...}}. Nothing for an event of
 * another command. 0, or -1 when the JSON writer failed.
 */
int monitor_print(FILE *out, bool json, const struct nfsec_event *ev);

#endif /* NFSEC_CLI_MONITOR_H */
