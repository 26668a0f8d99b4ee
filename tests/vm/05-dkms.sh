#!/bin/bash
# vm: alone (loads and unloads the module)
# vm: stock kernel only (DKMS built the module for Debian's stock kernel on the host)
# make dkms-install, as a user of the stock kernel runs it: scripts/check runs it on the
# host for this kernel before the guest starts (the guest sees the host's / over 9p) and
# make dkms-uninstall after. Here the module DKMS built is the one modprobe finds, it
# loads and answers, and it unloads again; and the first nfsec command with the module
# absent loads it (the kernel asks modprobe for the genl family's alias). The rest of the
# run must not: a test of the module absent would find DKMS's loaded, and the shared tests
# load build/'s. So this file ends, whatever happened in it, with the module unloaded and
# the alias blacklisted in the guest's own /run (the kernel's modprobe reads that one).
. "$(dirname "$0")/lib.sh"

blacklist() {
	mkdir -p /run/modprobe.d
	echo "blacklist nfsec" > /run/modprobe.d/nfsec-dkms-test.conf
}
leave() {
	blacklist
	if module_loaded; then rmmod nfsec || echo "FAIL: rmmod nfsec on the way out" >&2; fi
	cleanup
}
trap 'st=$?; leave; exit $st' EXIT

ver=$(cat VERSION)
dkms status -m nfsec -v "$ver" -k "$KVER" | grep -q ": installed" ||
	fail "DKMS has no nfsec $ver installed for $KVER (make dkms-install KVER=$KVER)"
path=$(modinfo -n nfsec) || fail "modprobe finds no nfsec module"
expect_eq "the module modprobe finds" "$path" "/lib/modules/$KVER/updates/dkms/nfsec.ko"
expect_eq "its version" "$(modinfo -F version nfsec)" "$ver"
# What a shared test left loaded would not be DKMS's: this file runs before any.
module_loaded && fail "a module is loaded already"
modprobe nfsec || fail "modprobe nfsec"
[ -d /sys/module/nfsec ] || fail "no /sys/module/nfsec after modprobe"
expect_eq "the module nfsec talks to" "$(nfsec -j version | json_get module)" "$ver"
nfsec stats > /dev/null || fail "nfsec stats through the DKMS module"
modprobe -r nfsec || fail "modprobe -r nfsec"
[ ! -d /sys/module/nfsec ] || fail "nfsec still loaded after modprobe -r"
# The genl family's alias: nfsec asks for family "nfsec", the kernel loads it.
expect_eq "the module nfsec version loaded" "$(nfsec -j version | json_get module)" "$ver"
[ -d /sys/module/nfsec ] || fail "nfsec version did not load the module"
modprobe -r nfsec || fail "modprobe -r nfsec"
blacklist
nfsec version > /dev/null 2>&1 && fail "nfsec version still loads the module by its alias"
[ ! -d /sys/module/nfsec ] || fail "the blacklisted alias loaded nfsec"
