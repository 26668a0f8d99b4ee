#!/bin/bash
# vm: alone (loads and unloads the module)
# Taking nfsec away under traffic (peer: Linux XFRM, as in 60-esp-xfrm). Namespace a runs
# an AES-GCM tunnel to b with SAs whose lifetime timers are pending, TCP streams and pings
# go through it both ways, packets wait in a for an SA that never comes (ACQUIRE), and a
# monitor listens; then either the module is unloaded or namespace a is deleted. Nothing
# may crash or leak (the harness checks the kernel log for splats and, on the test kernel,
# kmemleak), the module must go, and once back it must start empty and carry traffic.
# rmmod-udp: the tunnel's ESP in UDP (RFC 3948), which a takes through nfsec-iked's NAT-T
# socket: the open socket holds the module (rmmod refused), the daemon stops under
# traffic, and then the module goes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"

PIDS=()
stop_traffic() {
	[ ${#PIDS[@]} -eq 0 ] && return
	kill "${PIDS[@]}" 2> /dev/null || true
	wait "${PIDS[@]}" 2> /dev/null || true
	PIDS=()
}
trap 'stop_traffic; cleanup' EXIT

# bg NS CMD...: CMD in namespace NS, in the background, for at most 60 s.
bg() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" timeout 60 "$@" > /dev/null 2>&1 &
	PIDS+=($!)
}

# stream FROM_NS FROM_ADDR TO_NS TO_ADDR PORT: zeros over TCP until stopped, 8 KiB every
# 20 ms: always something in flight, without a stream at full speed starving the rest of
# the guest (on the debug kernel that made this test take 12 minutes).
stream() {
	bg "$3" nc -l "$4" "$5"
	wait_until 120 "a TCP listener on port $5 in $3" listening "$3" tcp "$5"
	python3 -c '
import sys, time
zeros = bytes(8192)
while True:
    sys.stdout.buffer.write(zeros)
    sys.stdout.flush()
    time.sleep(0.02)' 2> /dev/null |
		nsenter --net="/run/netns/$1" timeout 60 nc -s "$2" "$4" "$5" > /dev/null 2>&1 &
	PIDS+=($!)
}

# busy [udp]: nfsec in a in the middle of everything it does, until stop_traffic; udp: the
# tunnel's ESP in UDP, port 4500 both ways (a's socket nfsec-iked's, b's XFRM's).
busy() {
	local enc=
	module_load
	if [ "${1:-}" = udp ]; then
		mkdir -p -m 0755 /tmp/unload-iked
		: > /tmp/unload-iked/conf
		bg a nfsec-iked -f -c /tmp/unload-iked/conf -S /tmp/unload-iked/sock
		bg b python3 "$(dirname "$0")/esp-udp.py" encap-socket 4500
		wait_until 120 "nfsec-iked's UDP 4500 in a" listening a udp 4500
		wait_until 120 "XFRM's UDP 4500 in b" listening b udp 4500
		enc="encap udp sport 4500 dport 4500"
		XF_EXTRA="encap espinudp 4500 4500 0.0.0.0"
	fi
	ESP_OUT_EXTRA="soft-seconds 600 hard-seconds 900 $enc" ESP_IN_EXTRA=$enc \
		esp_up gcm128 tunnel 4 4
	# A flow whose SA never comes: its packets are held, then dropped.
	$A nfsec policy add dir out src 10.0.1.0/24 dst 10.0.3.0/24 mode tunnel \
		tmpl-src 192.168.1.1 tmpl-dst 192.168.1.3 reqid 7
	$A ip route replace 10.0.3.0/24 via 192.168.1.2
	bg a nfsec monitor
	stream a 10.0.1.1 b 10.0.2.1 6001
	stream b 10.0.2.1 a 10.0.1.1 6002
	bg a ping -q -i 0.05 -I 10.0.1.1 10.0.2.1
	bg b ping -q -i 0.05 -I 10.0.2.1 10.0.1.1
	bg a ping -q -i 0.05 -I 10.0.1.1 10.0.3.1
	wait_until 120 "200 packets each way through the tunnel before the test" carried
}

carried() {
	[ "$($A nfsec -j stats | jq '.in_packets > 200 and .out_packets > 200')" = true ]
}

# reloaded: the module back, with nothing left from before, and a tunnel that works.
reloaded() {
	module_load
	expect_eq "SAs after reload" "$($A nfsec -j sa show | jq length)" 0
	expect_eq "policies after reload" "$($A nfsec -j policy show | jq length)" 0
	expect_eq "packets counted after reload" "$($A nfsec -j stats | jq .out_packets)" 0
	esp_up gcm128 tunnel 4 4
	$A ping -c 2 -i 0.2 -W 3 -I $IA $IB > /dev/null || fail "ping a -> b after reload"
	tcp_check a $IA b $IB
}

case_rmmod() {
	busy
	local start=$SECONDS
	rmmod nfsec || fail "rmmod under traffic"
	! module_loaded || fail "module still loaded"
	echo "rmmod under traffic took $((SECONDS - start)) s"
	stop_traffic
	reloaded
}

case_rmmod_udp() {
	busy udp
	rmmod nfsec 2> /dev/null && fail "rmmod while nfsec-iked's NAT-T socket is open"
	module_loaded || fail "the module went with the daemon's socket open"
	pkill -f "nfsec-iked -f -c /tmp/unload-iked/conf"
	wait_until 30 "nfsec-iked gone" not_running "nfsec-iked -f -c /tmp/unload-iked/conf"
	rmmod nfsec || fail "rmmod under ESP-in-UDP traffic, the daemon gone"
	! module_loaded || fail "module still loaded"
	stop_traffic
	XF_EXTRA= reloaded
}

not_running() { ! pgrep -f "$1" > /dev/null; }

case_netns_del() {
	busy
	# Namespace a goes once nothing runs in it, while b still sends into it. A process may
	# end between the listing and the kill (timeout takes its child along).
	local left
	for _ in $(seq 1 50); do
		left=$(ip netns pids a)
		[ -z "$left" ] && break
		kill $left 2> /dev/null || true
		sleep 0.1
	done
	[ -z "$left" ] || fail "processes left in namespace a: $left"
	ip netns del a
	sleep 1
	stop_traffic
	ip netns del b
	# The namespace's state went with it: nothing to find in a new one.
	setup
	NETNS=()	# the test's, deleted when it ends
	reloaded
	rmmod nfsec || fail "rmmod after the namespace was deleted"
}

if [ "${1:-}" = case ]; then
	"case_$2"
	exit 0
fi

module_load
setup
# The debug kernel does each kind once (a round takes minutes there), the stock one twice.
rounds="rmmod netns_del rmmod rmmod_udp"
[ -e /sys/kernel/debug/kmemleak ] && rounds="rmmod netns_del rmmod_udp"
failed=() round=0
for c in $rounds; do
	name=${c/_/-}-$((++round))
	run_case "$name" bash "$0" case "$c" || failed+=("$name")
done
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
