#!/bin/bash
# What an attacker sends, against the topology and XFRM peer of 60-esp-xfrm (nfsec in a,
# XFRM in b): nfsec must neither crash nor let through in clear what a policy protects.
#
#   refragment-*   genuine ESP from b, held back from a and then re-sent by an on-path
#                  attacker as two IPv4 fragments, the first carrying the 8-byte ESP header
#                  alone: the packet a reassembles has its ESP header and IV outside the
#                  linear area (a frag_list). It must be decrypted and delivered like the
#                  original, in tunnel and in transport mode, and nothing counted as bad.
#                  refragment-ipv6: the same in IPv6 (as a sender fragments ESP too big
#                  for the path), which the kernel reassembles only after LOCAL_IN's hooks
#                  unless nf_defrag_ipv6 does it first (kmod/defrag.c).
#
#   ike-ports-out  an unprivileged process in a sends from port 4500 and to ports 500 and
#                  4500 through an out protect policy: ESP on the wire, never cleartext (only
#                  the IKE daemon's own sockets pass the policies, not its ports).
#   ike-ports-in   cleartext from b's ports 500 and 4500 to a service a's in protect policy
#                  covers: dropped and counted, the service hears nothing.
#   ike-ports-fwd  the same, forwarded by a into a protected network behind it (ns c).
#   other-peer     b, holding a's tunnel for 10.0.2.0/24 (request id 1), sends through it
#                  as 10.0.3.1, a network a's policies give to another peer (192.168.1.3,
#                  request id 2): decrypted, but the SA is not the one the policy names, so
#                  dropped and counted (XFRM's template check); b's own network still works.
#   ipv6-ext       IPv6 transport mode with a hop-by-hop header: ESP goes behind it, which
#                  stays in clear (RFC 4303 3.1.1), as XFRM puts it; each side takes the
#                  other's datagram.
#   hdr-error      IPv6 whose extension chain runs past its end, through an out protect
#                  policy and into an in one: dropped and counted, never on the wire; "no
#                  next header" (59) is a protocol the policies judge like any other
#                  (encrypted going out, refused coming in clear).
#
#   alloc-fail     (test kernel) every allocation of a protected send, and of one held
#                  for an SA, fails in turn: no crash or leak, nfsec counts its drops.
#
#   75-esp-hostile.sh case NAME    one case (namespaces already set up)
# vm: cost 2
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"

INJECT="$(dirname "$0")/esp-inject.py"

# refragment MODE [FAMILY]: three echo requests from b in ESP, captured on b's way out
# while a drops ESP before nfsec sees it, then re-sent in two fragments each.
refragment() {
	local fam=${2:-4}
	esp_up gcm128 "$1" $fam $fam
	$A nft add table inet hold
	$A nft 'add chain inet hold pre { type filter hook prerouting priority -300; }'
	$A nft add rule inet hold pre meta l4proto esp drop
	capture b /tmp/frag.pcap 3 esp
	# 1000 bytes: the second fragment does not fit the first's tailroom, so reassembly
	# chains it (a frag_list) instead of copying it into the linear area.
	$B ping -c 3 -s 1000 -i 0.2 -W 1 -I $IB $IA > /dev/null &&
		fail "a answered while ESP was held back"
	wait $CAPTURE || fail "no ESP from b captured"
	$A nft delete table inet hold
	local in bad replay
	in=$(stat in_packets) bad=$(stat in_malformed) replay=$(stat in_replay)
	for i in 0 1 2; do
		$B python3 "$INJECT" /tmp/frag.pcap vb --index $i --fragment 8
	done
	wait_stat in_packets $((in + 3))
	expect_eq "malformed" "$(stat in_malformed)" "$bad"
	expect_eq "replayed" "$(stat in_replay)" "$replay"
	expect_eq "auth failures" "$(stat in_auth_fail)" 0
	# The tunnel still works both ways.
	$A ping -c 1 -W 3 -I $IA $IB > /dev/null || fail "ping a -> b after the fragments"
}

case_refragment_tunnel() { refragment tunnel; }
case_refragment_transport() { refragment transport; }
case_refragment_ipv6() { refragment tunnel 6; }

# udp_send NS SRC SPORT DST DPORT [USER]: one datagram "x", from a fresh socket.
udp_send() {
	local as=()
	[ -n "${6:-}" ] && as=(setpriv --reuid="$6" --regid="$6" --clear-groups --inh-caps=-all)
	nsenter --net="/run/netns/$1" "${as[@]}" python3 -c '
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.sendto(b"x", (sys.argv[3], int(sys.argv[4])))' "$2" "$3" "$4" "$5"
}

# listen_udp NS ADDR PORT: a receiver that writes what it gets to /tmp/heard-PORT.
listen_udp() {
	nsenter --net="/run/netns/$1" timeout 10 nc -u -l -W 1 "$2" "$3" > /tmp/heard-$3 &
	wait_until 120 "a UDP listener on $2 port $3" listening "$1" udp "$3"
}

# udp_send_hbh NS SRC DST DPORT: one datagram "hbh" with a hop-by-hop header (8 bytes, a
# PadN option).
udp_send_hbh() {
	nsenter --net="/run/netns/$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
s.sendto(b"hbh", (sys.argv[2], int(sys.argv[3])))' "$2" "$3" "$4"
}

heard() { [ -s "/tmp/heard-$1" ]; }

# ipv6_ext: IPv6 transport mode with a hop-by-hop header: ESP goes behind it, which stays
# in clear (RFC 4303 3.1.1), on both sides' packets; each side takes the other's.
case_ipv6_ext() {
	local in bad
	esp_up gcm128 transport 6 6
	in=$(stat in_packets) bad=$(stat in_malformed)
	capture_start
	listen_udp b $IB 7001
	udp_send_hbh a $IA $IB 7001
	wait_until 10 "b hearing a's datagram" heard 7001
	listen_udp a $IA 7002
	udp_send_hbh b $IB $IA 7002
	wait_until 10 "a hearing b's datagram" heard 7002
	capture_stop
	expect_eq "what b heard" "$(cat /tmp/heard-7001)" hbh
	expect_eq "what a heard" "$(cat /tmp/heard-7002)" hbh
	expect_eq "cleartext of the datagrams on the wire" \
		"$(count 'udp port 7001 or udp port 7002')" 0
	# hop-by-hop (0) in front, naming ESP (50)
	expect_eq "a's ESP behind a hop-by-hop header" \
		"$(tcpdump -r /tmp/esp-a.pcap -n 'ip6[6] == 0 and ip6[40] == 50' 2> /dev/null | wc -l)" 1
	expect_eq "b's ESP behind a hop-by-hop header" \
		"$(tcpdump -r /tmp/esp-b.pcap -n 'ip6[6] == 0 and ip6[40] == 50' 2> /dev/null | wc -l)" 1
	expect_eq "a's in_packets" "$(stat in_packets)" $((in + 1))
	expect_eq "a's in_malformed" "$(stat in_malformed)" "$bad"
}

case_ike_ports_out() {
	esp_up gcm128 tunnel 4 4
	capture_start
	udp_send a $IA 4500 $IB 4500 65534
	udp_send a $IA 0 $IB 500 65534
	udp_send a $IA 0 $IB 4500 65534
	capture_stop
	expect_eq "cleartext UDP 500/4500 on the wire" "$(count 'udp port 500 or udp port 4500')" 0
	[ "$(count esp)" -ge 3 ] || fail "the datagrams did not go out in ESP: $(count esp)"
}

case_ike_ports_in() {
	esp_up gcm128 tunnel 4 4
	$B ip xfrm policy flush
	listen_udp a $IA 7000
	local np=$(stat in_not_protected)
	udp_send b $IB 500 $IA 7000
	udp_send b $IB 4500 $IA 7000
	wait_stat in_not_protected $((np + 2))
	sleep 0.5
	expect_eq "what the protected service heard" "$(cat /tmp/heard-7000)" ""
}

case_ike_ports_fwd() {
	behind_a 10.0.5.2 10.0.5.1 24
	$B ip route add 10.0.5.0/24 via 192.168.1.1
	esp_up gcm128 tunnel 4 4
	$A nfsec policy add dir fwd priority 100 src 10.0.2.0/24 dst 10.0.5.0/24 \
		mode tunnel tmpl-src 192.168.1.2 tmpl-dst 192.168.1.1 reqid 1
	listen_udp c 10.0.5.2 7000
	local np=$(stat in_not_protected)
	udp_send b $IB 500 10.0.5.2 7000
	udp_send b $IB 4500 10.0.5.2 7000
	wait_stat in_not_protected $((np + 2))
	sleep 0.5
	expect_eq "what c heard" "$(cat /tmp/heard-7000)" ""
}

case_other_peer() {
	esp_up gcm128 tunnel 4 4
	$A nfsec policy add dir in priority 100 src 10.0.3.0/24 dst 10.0.1.0/24 \
		mode tunnel tmpl-src 192.168.1.3 tmpl-dst 192.168.1.1 reqid 2
	$A nfsec policy add dir out priority 100 src 10.0.1.0/24 dst 10.0.3.0/24 \
		mode tunnel tmpl-src 192.168.1.1 tmpl-dst 192.168.1.3 reqid 2
	$B ip addr add 10.0.3.1/24 dev inner
	$B ip xfrm policy add src 10.0.3.0/24 dst 10.0.1.0/24 dir out priority 100 \
		tmpl src 192.168.1.2 dst 192.168.1.1 proto esp reqid 1 mode tunnel
	local np=$(stat in_not_protected) pk=$(stat in_packets)
	if $B ping -c 2 -i 0.2 -W 1 -I 10.0.3.1 $IA > /dev/null; then
		fail "b passed itself off as the other peer's network"
	fi
	expect_eq "decrypted" "$(stat in_packets)" $((pk + 2))
	expect_eq "in_not_protected" "$(stat in_not_protected)" $((np + 2))
	$B ping -c 1 -W 3 -I $IB $IA > /dev/null || fail "b's own network no longer gets through"
}

# ip6_send NS SRC DST NEXTHDR [PAYLOAD_HEX]: an IPv6 packet made by hand (IPV6_HDRINCL).
ip6_send() {
	nsenter --net="/run/netns/$1" python3 -c '
import socket, struct, sys
src, dst, nh = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = bytes.fromhex(sys.argv[4])
hdr = struct.pack("!IHBB", 6 << 28, len(body), nh, 64)
hdr += socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(hdr + body, (dst, 0))' "$2" "$3" "$4" "${5:-}"
}

case_hdr_error() {
	esp_up gcm128 tunnel 6 6
	local out=$(stat out_hdr_error) in=$(stat in_hdr_error) np=$(stat in_not_protected)
	local sent=$(stat out_packets)
	capture_start
	# Destination options (60) announced, not there: out through a's protect policy.
	ip6_send a $IA $IB 60
	# "No next header" (59): protected like any other packet.
	ip6_send a $IA $IB 59
	wait_stat out_packets $((sent + 1))
	capture_stop
	expect_eq "cleartext IPv6 between the protected networks" \
		"$(count "ip6 and host $IA and host $IB and not esp")" 0
	expect_eq "out_hdr_error" "$(stat out_hdr_error)" $((out + 1))
	# The same from b in clear (its XFRM policies gone), into a's in policy.
	$B ip xfrm policy flush
	ip6_send b $IB $IA 60
	wait_stat in_hdr_error $((in + 1))
	ip6_send b $IB $IA 59
	wait_stat in_not_protected $((np + 1))
}

# alloc_fail_send: in a, one datagram from 10.0.1.1 to 10.0.2.1 port 9 sent again and
# again, its sendto's nth allocation failing (fail-nth) for n = 1, 2, ... until the call
# makes fewer than n: every allocation on the way out, nfsec's among them, fails once.
# Prints that n - 1.
alloc_fail_send() {
	$A python3 -c '
import errno, os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.1.1", 0))
fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
n = 1
while n < 1000:
    os.pwrite(fd, str(n).encode(), 0)
    try:
        s.sendto(b"x" * 200, ("10.0.2.1", 9))
    except OSError as e:
        assert e.errno in (errno.ENOMEM, errno.ENOBUFS, errno.EPERM), e
    left = int(os.pread(fd, 16, 0) or b"0")
    os.pwrite(fd, b"0", 0)
    if left:
        break
    n += 1
print(n - 1)'
}

# Allocation failures on the way out (the test kernel's failslab, per task with fail-nth,
# as KUnit's nfsec_fault does for netlink): with an SA (encryption) and without one
# (ACQUIRE, the packet held), every allocation of a send fails in turn. No crash, no leak
# (the guest's checks), nfsec counts what it dropped, and the tunnel works afterwards.
# Inbound processing runs in softirq, where fail-nth does not reach.
case_alloc_fail() {
	local fs=/sys/kernel/debug/failslab err n
	echo N > $fs/ignore-gfp-wait
	echo 0 > $fs/verbose
	esp_up gcm128 tunnel 4 4
	err=$(stat out_error)
	n=$(alloc_fail_send)
	echo "a protected send: $n allocations, each failed once"
	[ "$(stat out_error)" -gt "$err" ] || fail "no failed allocation counted by nfsec"
	$A ping -c 1 -W 3 -I $IA $IB > /dev/null || fail "ping a -> b after the failures"
	$A nfsec sa delete spi 0x1001 dst 192.168.1.2
	err=$(($(stat out_error) + $(stat out_hold_full) + $(stat out_no_sa)))
	n=$(alloc_fail_send)
	echo "a send held for an SA: $n allocations, each failed once"
	[ $(($(stat out_error) + $(stat out_hold_full) + $(stat out_no_sa))) -gt "$err" ] ||
		fail "no failed allocation counted by nfsec while holding"
	$A nfsec sa add spi 0x1001 dir out src 192.168.1.1 dst 192.168.1.2 mode tunnel reqid 1 \
		$NF
	$A ping -c 1 -W 3 -I $IA $IB > /dev/null || fail "ping a -> b with the SA back"
	$B ping -c 1 -W 3 -I $IB $IA > /dev/null || fail "ping b -> a with the SA back"
}

if [ "${1:-}" = case ]; then
	# Listeners and captures left running would hold the runner's pipe open.
	trap 'st=$?; [ $st -eq 0 ] || diagnose; kill $(jobs -p) 2> /dev/null || true; cleanup
		exit $st' EXIT
	"case_$2"
	exit 0
fi

module_load
setup
failed=()
# alloc-fail needs the test kernel's failslab.
extra=""
[ -d /sys/kernel/debug/failslab ] && extra=alloc_fail
for c in refragment_tunnel refragment_transport refragment_ipv6 ike_ports_out ike_ports_in \
	ike_ports_fwd other_peer hdr_error ipv6_ext $extra
do
	# HOSTILE_ONLY=REGEX runs the matching cases alone (while debugging).
	[[ "$c" =~ ${HOSTILE_ONLY:-.} ]] || continue
	run_case "${c//_/-}" bash "$0" case "$c" || failed+=("$c")
done
flush
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
