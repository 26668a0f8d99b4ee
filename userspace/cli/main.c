// SPDX-License-Identifier: GPL-2.0
/*
 * nfsec: the ip-style command for the nfsec IPsec module. The command table and the
 * option parsing live in commands.c; each object's command in its own file.
 */
#include <stdio.h>

#include "commands.h"

int main(int argc, char **argv)
{
	int status = cli_run(argc, argv);

	/* "nfsec version > /dev/full" must not report success */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("nfsec: writing standard output");
		return 1;
	}
	return status;
}
