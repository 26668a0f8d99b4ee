#!/bin/bash
# vm: alone (loads and unloads the module)
# insmod/rmmod 100 times (20 on the debug kernel, where KASAN and kmemleak watch each
# round and a round takes seconds), with a request answered each time; the harness then
# checks the kernel log for splats and kmemleak for leaks.
. "$(dirname "$0")/lib.sh"

rounds=100
[ -e /sys/kernel/debug/kmemleak ] && rounds=20
module_unload
for i in $(seq 1 $rounds); do
	insmod "$MODDIR/nfsec.ko" || fail "insmod #$i"
	nfsec version > /dev/null || fail "nfsec version after insmod #$i"
	rmmod nfsec || fail "rmmod #$i"
done
! module_loaded || fail "module still loaded"
echo "$rounds rounds"
