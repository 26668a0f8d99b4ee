#!/bin/bash
# insmod/rmmod 100 times, with a request answered each time; the harness then checks the
# kernel log for splats and kmemleak for leaks.
. "$(dirname "$0")/lib.sh"

module_unload
for i in $(seq 1 100); do
	insmod "$MODDIR/nfsec.ko" || fail "insmod #$i"
	nfsec version > /dev/null || fail "nfsec version after insmod #$i"
	rmmod nfsec || fail "rmmod #$i"
done
! module_loaded || fail "module still loaded"
