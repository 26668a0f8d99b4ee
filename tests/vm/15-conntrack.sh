#!/bin/bash
# vm: alone (loads the module after conntrack is in use)
# vm: stock kernel only (the test kernel has no NAT)
# NAT through the tunnel, whatever the load order (peer: Linux XFRM, as in 60-esp-xfrm).
# Gateway a SNATs its LAN c (10.0.5.0/24) to its inner address 10.0.1.1 towards b's inner
# network, which an AES-GCM tunnel protects; c pings b through it. Conntrack confirms its
# entries at the priority nfsec's hooks run at, and of hooks of one priority the one
# registered last runs first. Module first, conntrack's hook comes later and runs before
# nfsec's; conntrack first (a's NAT set up before nfsec loads), nfsec runs first and must
# confirm the entry itself (kmod/conntrack.c), or b's replies find no NAT entry and never
# reach c.
#
#   15-conntrack.sh case ORDER    one case: module_first | conntrack_first
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"

nat_up() {
	$A nft add table ip nat
	$A nft 'add chain ip nat post { type nat hook postrouting priority 100; }'
	$A nft add rule ip nat post ip saddr 10.0.5.0/24 ip daddr 10.0.2.0/24 snat to 10.0.1.1
}

snat() {
	module_unload
	setup
	behind_a 10.0.5.2 10.0.5.1 24
	if [ "$1" = conntrack_first ]; then
		nat_up
		module_load
	else
		module_load
		nat_up
	fi
	esp_up gcm128 tunnel 4 4
	local in=$(stat in_packets)
	# b has no route to c: only SNAT to 10.0.1.1, the tunnel and the way back through NAT
	# let a reply reach c.
	nsenter --net=/run/netns/c ping -c 2 -i 0.3 -W 3 10.0.2.1 > /dev/null ||
		fail "c's ping through a's NAT and the tunnel got no reply"
	[ "$(stat in_packets)" -ge $((in + 2)) ] || fail "the replies did not come through nfsec"
}

if [ "${1:-}" = case ]; then
	trap 'st=$?; [ $st -eq 0 ] || diagnose; cleanup; exit $st' EXIT
	snat "$2"
	exit 0
fi

failed=()
for order in module_first conntrack_first; do
	run_case "snat-${order/_/-}" bash "$0" case $order || failed+=("$order")
done
module_load
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
