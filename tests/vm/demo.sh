#!/bin/bash
# The demo: nfsec.ko on Debian's stock kernel, answering separately in two network
# namespaces. Run by scripts/demo inside a QEMU guest.
. "$(dirname "$0")/lib.sh"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

run uname -r
run insmod "$MODDIR/nfsec.ko"
run nfsec version
run genl ctrl get name nfsec
netns_add a
netns_add b
say "ip netns exec a nfsec -j version; ip netns exec b nfsec -j version"
ip netns exec a nfsec -j version
ip netns exec b nfsec -j version
run rmmod nfsec
say "nfsec version   # the module is gone"
nfsec version || true
