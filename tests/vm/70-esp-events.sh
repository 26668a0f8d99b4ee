#!/bin/bash
# What nfsec refuses and what it announces, against the same XFRM peer as 60-esp-xfrm
# (AES-GCM-128, IPv4 tunnel): a replayed ESP packet, a tampered one and cleartext an inbound
# protect policy covers are each dropped and counted; a protect policy without an SA raises
# ACQUIRE and its packet waits for the SA; soft and hard EXPIRE come on packets, bytes and
# seconds, and after the hard one the SA is gone; SAs need CAP_NET_ADMIN and stay in their
# namespace; forwarded packets too big for the tunnel are answered with ICMP. On the stock
# kernel also: a dummy packet (next header 59) is authenticated and discarded, congestion
# marked on the outer header reaches an inner one that can carry it, the outer route
# follows the inner packet's mark and its VRF, and a's own packets too big for the tunnel
# lower their route's path MTU.
#
#   70-esp-events.sh case NAME    one case (namespaces already set up)
# vm: cost 4
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"

INJECT="$(dirname "$0")/esp-inject.py"

# monitor_start FILE: `nfsec -j monitor` in a, writing to FILE, listening once this returns.
monitor_start() {
	$A nfsec -j monitor > "$1" &
	MON=$!
	for _ in $(seq 1 50); do
		$A nfsec policy flush dir fwd
		grep -q '"dir":"fwd"' "$1" && return
		sleep 0.1
	done
	fail "the monitor never listened"
}

# wait_for FILE JQ-FILTER [SECONDS]: until an event of FILE matches.
wait_for() {
	local i
	for i in $(seq 1 $((${3:-10} * 10))); do
		# One jq over every line: a line still being written is skipped, not an error
		# (and one process per line is too slow on the test kernel for the hold time).
		jq -R -e -n "[inputs | fromjson? | select($2)] | length > 0" "$1" \
			> /dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "events:"; cat "$1"
	fail "no event matching $2"
}

# sa_drop REASON: what a's inbound SA (0x2001) counted for REASON (JSON name).
sa_drop() {
	$A nfsec -j sa get spi 0x2001 dst 192.168.1.1 | jq -r ".drops.$1"
}

# prom_sa_drop REASON: the same as nfsec stats prometheus gives it to a scraper.
prom_sa_drop() {
	$A nfsec stats prometheus | sed -n "s/^nfsec_sa_drops_total{spi=\"0x00002001\",dir=\"in\",src=\"192.168.1.2\",dst=\"192.168.1.1\",reqid=\"1\",reason=\"$1\"} //p"
}

case_replay() {
	esp_up gcm128 tunnel 4 4
	capture b /tmp/replay.pcap 2 esp
	$B ping -c 2 -i 0.2 -W 3 -I $IB $IA > /dev/null || fail "ping b -> a"
	wait $CAPTURE
	local replay=$(stat in_replay) in=$(stat in_packets)
	$B python3 "$INJECT" /tmp/replay.pcap vb --index 0
	$B python3 "$INJECT" /tmp/replay.pcap vb --index 1
	wait_stat in_replay $((replay + 2))
	expect_eq "replays counted" "$(stat in_replay)" $((replay + 2))
	expect_eq "replays accepted" "$(stat in_packets)" "$in"
	# The SA counted them too (it was new: nothing before), and said so to each reader.
	expect_eq "replays counted by the SA" "$(sa_drop replay)" 2
	expect_eq "auth failures counted by the SA" "$(sa_drop auth_fail)" 0
	grep -q " drop-replay 2\$" <<< "$($A nfsec sa get spi 0x2001 dst 192.168.1.1)" ||
		fail "nfsec sa get does not say drop-replay 2"
	expect_eq "replays in the Prometheus output" "$(prom_sa_drop replay)" 2
	grep -qx "nfsec_drops_total{reason=\"in-replay\"} $((replay + 2))" \
		<<< "$($A nfsec stats prometheus)" ||
		fail "nfsec stats prometheus: no nfsec_drops_total of in-replay $((replay + 2))"
}

case_tamper() {
	esp_up gcm128 tunnel 4 4
	capture b /tmp/tamper.pcap 1 esp
	$B ping -c 1 -W 3 -I $IB $IA > /dev/null || fail "ping b -> a"
	wait $CAPTURE
	local auth=$(stat in_auth_fail) in=$(stat in_packets) replay=$(stat in_replay)
	# Past the replay window, one bit of the ciphertext, then of the ICV, then the sequence
	# number alone (it is authenticated too).
	$B python3 "$INJECT" /tmp/tamper.pcap vb --seq-add 100 --flip-from-end 30
	$B python3 "$INJECT" /tmp/tamper.pcap vb --seq-add 101 --flip-from-end 1
	$B python3 "$INJECT" /tmp/tamper.pcap vb --seq-add 102
	wait_stat in_auth_fail $((auth + 3))
	expect_eq "tampered packets counted" "$(stat in_auth_fail)" $((auth + 3))
	expect_eq "tampered packets accepted" "$(stat in_packets)" "$in"
	expect_eq "replay counter" "$(stat in_replay)" "$replay"
	expect_eq "tampered packets counted by the SA" "$(sa_drop auth_fail)" 3
	expect_eq "replays counted by the SA" "$(sa_drop replay)" 0
	expect_eq "tampered packets in the Prometheus output" "$(prom_sa_drop auth-fail)" 3
	# The window did not move: the genuine next packet still passes.
	$B ping -c 1 -W 3 -I $IB $IA > /dev/null || fail "ping after tampering"
}

# A dummy packet (RFC 4303 2.6): a genuine ESP packet of b's in NULL/HMAC-SHA-256
# transport mode, its next header made 59 and signed again with the SA's key, as a peer
# sending traffic flow confidentiality padding does. nfsec authenticates it, moves the
# replay window and discards it: counted as in-dummy, never delivered (the stack would
# answer protocol 59 with an ICMP error).
case_dummy() {
	local k32=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
	esp_up null-sha256 transport 4 4
	capture b /tmp/dummy.pcap 1 esp
	$B ping -c 1 -W 3 -I $IB $IA > /dev/null || fail "ping b -> a"
	wait $CAPTURE
	local in=$(stat in_packets) dummy=$(stat in_dummy) replay=$(stat in_replay)
	$B python3 "$INJECT" /tmp/dummy.pcap vb --seq-add 10 --next-header 59 --auth-key $k32
	wait_stat in_dummy $((dummy + 1))
	expect_eq "dummy packets delivered" "$(stat in_packets)" "$in"
	# the window moved: the same sequence number again is a replay
	$B python3 "$INJECT" /tmp/dummy.pcap vb --seq-add 10 --next-header 59 --auth-key $k32
	wait_stat in_replay $((replay + 1))
	expect_eq "dummy packets counted" "$(stat in_dummy)" $((dummy + 1))
	$B ping -c 1 -W 3 -I $IB $IA > /dev/null || fail "ping after the dummy packet"
}

# Congestion marked on the way (CE on the outer header: nft in a marks b's ESP) reaches
# an inner packet that can take it (ECT(0)), as XFRM and RFC 6040 carry it; one that
# cannot (Not-ECT) is delivered unmarked.
case_ecn() {
	esp_up gcm128 tunnel 4 4
	$A nft add table ip ce_mark
	$A nft 'add chain ip ce_mark pre { type filter hook prerouting priority -300; }'
	$A nft add rule ip ce_mark pre ip protocol esp ip ecn set ce
	local tos
	for tos in 2 0; do
		$A python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
s.bind(("10.0.1.1", 7001))
s.settimeout(60)
open("/tmp/ecn.ready", "w").close()
_, anc, _, _ = s.recvmsg(64, 64)
print(anc[0][2][0] & 3)' > /tmp/ecn.out &
		local rcv=$!
		wait_until 60 "the ECN receiver" test -e /tmp/ecn.ready
		rm -f /tmp/ecn.ready
		$B python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, int(sys.argv[1]))
s.bind(("10.0.2.1", 0))
s.sendto(b"ecn", ("10.0.1.1", 7001))' $tos
		wait $rcv || fail "no datagram with inner ECN $tos"
		expect_eq "inner ECN delivered for inner $tos, outer CE" "$(cat /tmp/ecn.out)" \
			$((tos ? 3 : 0))
	done
	$A nft delete table ip ce_mark
}

# The outer route follows the inner packet's mark: with 192.168.1.2 blackholed in a's main
# table and routed through va in table 100 for mark 1, an unmarked ping finds no route
# for its ESP (counted), a ping marked 1 goes through. (Last: it leaves a's routes.)
case_mark() {
	esp_up gcm128 tunnel 4 4
	$A ip route add blackhole 192.168.1.2/32
	$A ip route add 192.168.1.2/32 dev va table 100
	$A ip rule add fwmark 1 table 100
	local noroute=$(stat out_no_route)
	if $A ping -c 1 -W 1 -I $IA $IB > /dev/null; then
		fail "an unmarked ping went through a blackholed outer route"
	fi
	[ "$(stat out_no_route)" -gt "$noroute" ] || fail "out_no_route did not grow"
	$A ping -c 2 -i 0.2 -W 3 -m 1 -I $IA $IB > /dev/null ||
		fail "the ESP of a ping marked 1 did not take the route for mark 1"
	# The cases after this one need the outer route back.
	$A ip rule del fwmark 1 table 100
	$A ip route del 192.168.1.2/32 dev va table 100
	$A ip route del blackhole 192.168.1.2/32
}

case_cleartext() {
	esp_up gcm128 tunnel 4 4
	$B ip xfrm policy flush
	local np=$(stat in_not_protected)
	if $B ping -c 2 -i 0.2 -W 1 -I $IB $IA > /dev/null; then
		fail "cleartext ping through an inbound protect policy was answered"
	fi
	[ "$(stat in_not_protected)" -ge $((np + 2)) ] ||
		fail "in_not_protected: $np -> $(stat in_not_protected)"
	# Bypassed traffic passes in clear: the veth addresses match no policy.
	$B ping -c 1 -W 2 192.168.1.1 > /dev/null || fail "ping outside the policies"
}

case_acquire() {
	esp_up gcm128 tunnel 4 4
	$A nfsec sa delete spi 0x1001 dst 192.168.1.2
	monitor_start /tmp/acq.json
	local acq=$(stat acquires) nosa=$(stat out_no_sa)
	# The first packet raises ACQUIRE and waits (up to NFSEC_ACQUIRE_HOLD_MS, 5 s); the SA
	# arrives; the packet goes out and is answered.
	$A ping -c 1 -W 15 -I $IA $IB > /tmp/acq-ping.txt &
	local ping=$!
	wait_for /tmp/acq.json '.event == "acquire" and .flow.src == "10.0.1.1/32"
		and .flow.dst == "10.0.2.1/32" and .policy.dir == "out"'
	$A nfsec sa add spi 0x1001 dir out src 192.168.1.1 dst 192.168.1.2 mode tunnel reqid 1 \
		$NF
	wait $ping || fail "the held packet was not sent once the SA came: $(cat /tmp/acq-ping.txt)"
	expect_eq "ACQUIREs" "$(stat acquires)" $((acq + 1))
	# Without the SA, a port scan of another host (20 datagrams in a moment, well within
	# NFSEC_ACQUIRE_RETRY_SECONDS): one ACQUIRE for the pair of hosts, not one per port;
	# the datagrams wait, and are dropped and counted once the hold time is up.
	$A nfsec sa delete spi 0x1001 dst 192.168.1.2
	nosa=$(stat out_no_sa)
	$A python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.1.1", 0))
for port in range(2000, 2020):
    s.sendto(b"scan", ("10.0.2.99", port))'
	expect_eq "ACQUIREs for a port scan of one host" "$(stat acquires)" $((acq + 2))
	wait_stat out_no_sa $((nosa + 20))
}

# lifetime_case LIMITS PINGS: the outbound SA with LIMITS, PINGS pings (0.2 s apart), then
# soft and hard EXPIRE must have come and the SA be gone.
lifetime_case() {
	# Listening first: on a slow kernel a 1 s lifetime is over before a monitor started
	# after the SA would listen.
	monitor_start /tmp/exp.json
	ESP_OUT_EXTRA="$1" esp_up gcm128 tunnel 4 4
	$A ping -c "$2" -i 0.2 -W 1 -I $IA $IB > /dev/null || true
	wait_for /tmp/exp.json '.event == "expire" and .hard == false and .sa.spi == 4097'
	wait_for /tmp/exp.json '.event == "expire" and .hard == true and .sa.spi == 4097'
	# The soft one came first.
	expect_eq "expire order" "$(grep '"event":"expire"' /tmp/exp.json |
		sed 's/.*"hard":\([a-z]*\).*/\1/' | tr '\n' ' ')" "false true "
	if $A nfsec sa get spi 0x1001 dst 192.168.1.2 > /dev/null 2>&1; then
		fail "the SA is still there after its hard expiry"
	fi
	expect_eq "SAs left" "$($A nfsec -j sa show | jq length)" 1
}

case_expire_packets() { lifetime_case "soft-packets 3 hard-packets 5" 8; }
case_expire_bytes() { lifetime_case "soft-bytes 300 hard-bytes 500" 8; }
case_expire_seconds() { lifetime_case "soft-seconds 1 hard-seconds 2" 2; }

case_privilege() {
	esp_up gcm128 tunnel 4 4
	local nobody="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
	if $A $nobody "$NFSEC" sa show > /dev/null 2> /tmp/err; then
		fail "unprivileged show accepted"
	fi
	grep -q 'needs CAP_NET_ADMIN' /tmp/err || fail "unprivileged show: $(cat /tmp/err)"
	if $A $nobody "$NFSEC" sa flush 2> /tmp/err; then fail "unprivileged flush accepted"; fi
	grep -qi 'not permitted' /tmp/err || fail "unprivileged flush: $(cat /tmp/err)"
	if $A $nobody "$NFSEC" sa delete spi 0x1001 dst 192.168.1.2 2> /dev/null; then
		fail "unprivileged delete accepted"
	fi
	expect_eq "SAs after unprivileged tries" "$($A nfsec -j sa show | jq length)" 2
	# Namespaces: b sees none of a's SAs, and the root namespace none either.
	expect_eq "SAs seen from b" "$($B nfsec -j sa show | jq length)" 0
	expect_eq "SAs seen from the root namespace" "$(nfsec -j sa show | jq length)" 0
	# A refused SA changes nothing, and the message names the problem.
	if $A nfsec sa add spi 0x1001 dir out src 192.168.1.1 dst 192.168.1.2 mode tunnel \
		aead gcm-aes 0x0011 128 2> /tmp/err; then
		fail "a 2-byte key was accepted"
	fi
	grep -q 'key' /tmp/err || fail "short key: $(cat /tmp/err)"
	expect_eq "SAs after a refusal" "$($A nfsec -j sa show | jq length)" 2
}

# forward_df FAMILY: a router's job. Namespace c sits behind a (10.0.5.0/24, fd05::/64) and
# a tunnels its traffic to b's inner network. A forwarded packet with DF (any IPv6 packet)
# that fits a's link but not once inside ESP is answered with ICMP "fragmentation needed" /
# "packet too big" carrying the MTU left inside the tunnel; c learns it, and a packet of
# exactly that size then goes through, while one a byte larger is refused by c itself.
forward_df() {
	local fam=$1 sel_c ca cc ib oa ob hdr plen opt
	if [ "$fam" = 4 ]; then
		sel_c=10.0.5.0/24 ca=10.0.5.1 cc=10.0.5.2 plen=24 opt= hdr=28
		oa=192.168.1.1 ob=192.168.1.2 ib=10.0.2.0/24
	else
		sel_c=fd05::/64 ca=fd05::1 cc=fd05::2 plen=64 opt=nodad hdr=48
		oa=fd01::1 ob=fd01::2 ib=fd10:2::/64
	fi
	local C="nsenter --net=/run/netns/c"
	behind_a $cc $ca $plen $opt
	esp_up gcm128 tunnel $fam $fam
	$A nfsec policy add dir out priority 100 src $sel_c dst $ib \
		mode tunnel tmpl-src $oa tmpl-dst $ob reqid 1
	$A nfsec policy add dir in priority 100 src $ib dst $sel_c \
		mode tunnel tmpl-src $ob tmpl-dst $oa reqid 1
	$B ip xfrm policy add src $ib dst $sel_c dir out tmpl src $ob dst $oa proto esp reqid 1 \
		mode tunnel
	$B ip xfrm policy add src $sel_c dst $ib dir in tmpl src $oa dst $ob proto esp reqid 1 \
		mode tunnel
	$B ip route add $sel_c via $oa
	# Through the tunnel, forwarded both ways.
	$C ping -c 1 -w 20 -s 1000 $IB > /dev/null || fail "ping c -> b through a"
	local big=$(stat out_too_big) out mtu
	out=$($C ping -c 2 -i 0.3 -W 2 -M do -s $((1500 - hdr)) $IB 2>&1) || true
	# What c learned from the ICMP error: the path MTU in its route cache.
	mtu=$($C ip route get $IB | grep -oE 'mtu [0-9]+' | grep -oE '[0-9]+' || true)
	echo "c's path MTU to $IB: ${mtu:-none}"
	[ -n "$mtu" ] || fail "no ICMP with an MTU came back to c: $out"
	[ "$(stat out_too_big)" -gt "$big" ] || fail "out_too_big did not grow"
	[ "$mtu" -lt 1500 ] && [ "$mtu" -ge 1400 ] || fail "MTU $mtu is not what ESP leaves"
	$C ping -c 1 -w 20 -M do -s $((mtu - hdr)) $IB > /dev/null ||
		fail "a packet of the reported MTU ($mtu) did not get through"
	if $C ping -c 1 -W 3 -M do -s $((mtu - hdr + 1)) $IB > /dev/null 2>&1; then
		fail "a packet over the reported MTU ($mtu) got through"
	fi
}

case_forward_df4() { forward_df 4; }
case_forward_df6() { forward_df 6; }

# local_df FAMILY: a's own packets. A DF ping (any IPv6 one) that fits a's link but not
# once inside ESP still goes (fragmented after ESP), and lowers the path MTU of a's route
# to b's inner network to what fits inside the tunnel; a TCP stream then sends no
# fragment, its segments sized for the tunnel.
local_df() {
	local fam=$1 hdr=28 mtu frags
	[ "$fam" = 6 ] && hdr=48
	esp_up gcm128 tunnel $fam $fam
	$A ping -c 1 -w 20 -M do -s $((1500 - hdr)) -I $IA $IB > /dev/null ||
		fail "a's DF ping of the link's MTU did not get through"
	mtu=$($A ip route get $IB from $IA | grep -oE 'mtu [0-9]+' | grep -oE '[0-9]+' || true)
	echo "a's path MTU to $IB: ${mtu:-none}"
	[ -n "$mtu" ] || fail "a's route to $IB learned no path MTU"
	[ "$mtu" -lt 1500 ] && [ "$mtu" -ge 1400 ] || fail "MTU $mtu is not what ESP leaves"
	capture_start
	tcp_check a $IA b $IB
	capture_stop
	if [ "$fam" = 4 ]; then
		frags=$(tcpdump -r /tmp/esp-a.pcap -n 'ip[6:2] & 0x3fff != 0' 2> /dev/null | wc -l)
	else
		frags=$(tcpdump -r /tmp/esp-a.pcap -n 'ip6[6] == 44' 2> /dev/null | wc -l)
	fi
	expect_eq "fragments a sent in the TCP stream" "$frags" 0
}

case_local_df4() { local_df 4; }
case_local_df6() { local_df 6; }

# vrf: a's end of the tunnel and its inner network in a VRF (blue, table 10), the main
# table with no route to b: the outer packet is routed in the VRF its inner packet was
# routed in, as XFRM does. It changes a's topology for good: the last case.
case_vrf() {
	modprobe vrf || fail "no vrf module"
	$A ip link add blue type vrf table 10
	$A ip link set blue up
	$A ip link set va master blue
	$A ip link set inner master blue
	$A ip route add 10.0.2.0/24 via 192.168.1.2 src 10.0.1.1 vrf blue
	$A ip route get 192.168.1.2 > /dev/null 2>&1 && fail "a's main table still reaches b"
	esp_up gcm128 tunnel 4 4
	local nr out
	nr=$(stat out_no_route) out=$(stat out_packets)
	$A ping -c 2 -i 0.2 -w 20 -I blue 10.0.2.1 > /dev/null || fail "ping a -> b in the VRF"
	expect_eq "out_no_route" "$(stat out_no_route)" "$nr"
	expect_eq "out_packets" "$(stat out_packets)" $((out + 2))
}

if [ "${1:-}" = case ]; then
	MON=
	trap 'st=$?; [ $st -eq 0 ] || diagnose; kill $MON 2> /dev/null || true; cleanup; exit $st' EXIT
	"case_$2"
	exit 0
fi

module_load
setup
failed=()
# dummy, ecn, mark, local_df and vrf change a few lines each that KASAN has nothing to add
# to: stock only (which also has VRF).
extra=""
[ $SLOW = 1 ] || extra="dummy ecn mark local_df4 local_df6 vrf"
for c in replay tamper cleartext acquire expire_packets expire_bytes expire_seconds privilege \
	forward_df4 forward_df6 $extra
do
	# EVENTS_ONLY=REGEX runs the matching cases alone (while debugging).
	[[ "$c" =~ ${EVENTS_ONLY:-.} ]] || continue
	run_case "$c" bash "$0" case "$c" || failed+=("$c")
done
flush
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
