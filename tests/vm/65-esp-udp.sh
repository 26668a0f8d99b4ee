#!/bin/bash
# ESP in UDP (RFC 3948, NAT traversal) between nfsec behind a NAT and Linux XFRM.
#
#   a (nfsec, nfsec-iked)        r (router, masquerade)                b (XFRM)
#   inner 10.0.1.1/24                                                  inner 10.0.2.1/24
#   va 192.168.1.1/24 ------ vra 192.168.1.254 | vrb 203.0.113.254 ------ vb 203.0.113.2/24
#
# r masquerades what a sends to b's side as 203.0.113.254, UDP from port 4500 kept at
# 4500 (nft "masquerade to :4500"), so b's states name r's address and port 4500. a has
# manual SAs with "encap udp sport 4500 dport 4500"; its NAT-T socket (UDP 4500, the one
# the module receives ESP in UDP through) is nfsec-iked's, started with no tunnel. b has
# XFRM states with "encap espinudp 4500 4500 0.0.0.0" and a UDP socket on 4500 that
# XFRM takes them on (esp-udp.py encap-socket).
#
#   ALG-tunnel-natt         every algorithm nfsec has (gcm128, gcm256, chacha,
#                           cbc128-sha256, cbc256-sha384, cbc256-sha512, null-sha256),
#                           tunnel mode 10.0.1.0/24 <-> 10.0.2.0/24: pings both ways
#                           (a first: its packet makes r's mapping), a TCP transfer each
#                           way checked by SHA-256; r's capture on the outer link (vrb)
#                           shows UDP 4500 only: no ESP (protocol 50), no plain TCP
#                           or ICMP (null-sha256's payload is clear inside, by design);
#                           nfsec dropped nothing.
#   hostile                 r sends a's port 4500 a NAT keepalive (one byte 0xff), a short
#                           ESP in UDP (5 bytes), garbage (an SPI no SA has), a forged ESP
#                           in UDP for the SA's SPI, IKE garbage behind the non-ESP marker,
#                           and plain ESP (protocol 50) for the SA, which takes ESP only in
#                           UDP: each dropped and counted by its reason (in-keepalive,
#                           in-malformed, in-no-sa, in-auth-fail, in-malformed), the daemon
#                           still running, the tunnel still working.
#   transport               transport mode through the NAT: TCP a -> b by hash, each side
#                           taking the other's TCP checksum (over addresses it does not
#                           see) as checked; no TCP on r's outer link.
#   mapping                 b's ESP comes from a new port: a's monitor shows the mapping
#                           event once, a's replies are lost until "nfsec sa set" moves
#                           its SAs, then traffic flows with no replay drop.
# vm: stock kernel only (the test kernel has no NAT; ESP in UDP runs under KASAN in KUnit nfsec_encap)
# vm: cost 3
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"

R="nsenter --net=/run/netns/r"
HELPER="$(dirname "$0")/esp-udp.py"
NATT_DIR=/tmp/natt
PUB=203.0.113.254	# r's outer address: a, as b sees it

natt_setup() {
	nat_router $PUB
	$R nft -f - <<-EOF
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "vrb" meta l4proto udp masquerade to :4500
			oifname "vrb" masquerade
		}
	}
	EOF
	head -c $DATA_SIZE /dev/urandom > $DATA
	mkdir -p $NATT_DIR
	# b: the socket XFRM takes ESP in UDP on.
	$B python3 "$HELPER" encap-socket 4500 > $NATT_DIR/encap.out 2>&1 &
	HELPERS+=($!)
	wait_until 120 "b's encapsulation socket" grep -q ready $NATT_DIR/encap.out
	# a: nfsec-iked without a tunnel, for its NAT-T socket.
	: > $NATT_DIR/iked.conf
	$A nfsec-iked -f -d -c $NATT_DIR/iked.conf -S $NATT_DIR/iked.sock \
		> $NATT_DIR/iked.log 2>&1 &
	export IKED=$!
	HELPERS+=($IKED)
	wait_until 120 "nfsec-iked's UDP 4500 in a" listening a udp 4500
}

HELPERS=()
stop_helpers() {
	[ ${#HELPERS[@]} -eq 0 ] || kill "${HELPERS[@]}" 2> /dev/null || true
	wait 2> /dev/null || true
}

natt_diagnose() {
	set +e
	echo "--- nfsec in a:"; $A nfsec stats | grep -v ' 0$'; $A nfsec sa show
	echo "--- XFRM in b:"; $B ip -s xfrm state; $B cat /proc/net/xfrm_stat | grep -v '\s0$'
	echo "--- r:"; $R conntrack -L 2> /dev/null | head; $R nft list ruleset
	echo "--- nfsec-iked:"; tail -20 $NATT_DIR/iked.log
	dmesg | tail -20
}

# natt_up ALG: the tunnel's SAs and policies on both sides (SPIs 0x1001 a->b, 0x2001 b->a).
natt_up() {
	alg_words "$1"
	local esp="proto esp reqid 1 mode tunnel" encap="encap espinudp 4500 4500 0.0.0.0"
	ip -n b -batch - <<-EOF || fail "XFRM in b refused the states or policies"
	$FLUSH_B
	xfrm state add src $PUB dst 203.0.113.2 spi 0x1001 $esp $XF $encap
	xfrm state add src 203.0.113.2 dst $PUB spi 0x2001 $esp $XF $encap
	xfrm policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir out tmpl src 203.0.113.2 dst $PUB $esp
	xfrm policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir in tmpl src $PUB dst 203.0.113.2 $esp
	EOF
	local enc="encap udp sport 4500 dport 4500" tmpl="mode tunnel reqid 1"
	$A nfsec -batch - <<-EOF || fail "nfsec in a refused the SAs or policies"
	$FLUSH_A
	sa add spi 0x1001 dir out src 192.168.1.1 dst 203.0.113.2 $tmpl $NF $enc
	sa add spi 0x2001 dir in src 203.0.113.2 dst 192.168.1.1 $tmpl $NF $enc replay-window 1024
	policy add dir out src 10.0.1.0/24 dst 10.0.2.0/24 $tmpl tmpl-src 192.168.1.1 tmpl-dst 203.0.113.2
	policy add dir in src 10.0.2.0/24 dst 10.0.1.0/24 $tmpl tmpl-src 203.0.113.2 tmpl-dst 192.168.1.1
	EOF
	$A nfsec sa get spi 0x1001 dst 203.0.113.2 | grep -q ' encap udp sport 4500 dport 4500 ' ||
		fail "sa get does not show the encapsulation"
	expect_eq "sa get -j encap" \
		"$($A nfsec -j sa get spi 0x2001 dst 192.168.1.1 | jq -c .encap)" \
		'{"type":"udp","sport":4500,"dport":4500}'
}

# pcap_count FILTER: packets of r's capture that match
pcap_count() { tcpdump -r $NATT_DIR/r.pcap -n "$1" 2> /dev/null | wc -l; }

one_case() {
	local before cap n
	natt_up "$1"
	before=$($A nfsec -j stats)
	$R tcpdump -i vrb -n -U --immediate-mode -w $NATT_DIR/r.pcap 2> $NATT_DIR/r.err &
	cap=$!
	wait_until 120 "tcpdump in r" grep -q listening $NATT_DIR/r.err
	$A ping -c 2 -i 0.2 -W 3 -w 10 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b"
	$B ping -c 2 -i 0.2 -W 3 -w 10 -I 10.0.2.1 10.0.1.1 > /dev/null || fail "ping b -> a"
	tcp_check a 10.0.1.1 b 10.0.2.1
	tcp_check b 10.0.2.1 a 10.0.1.1
	sleep 0.5
	kill $cap
	wait $cap || true

	n=$(pcap_count 'udp port 4500')
	echo "r's outer link: $n ESP-in-UDP packets"
	[ "$n" -gt 100 ] || fail "only $n UDP 4500 packets on r's outer link"
	# A fragment after the first (nfsec fragments the first too-big segments of a TCP
	# stream after encapsulation, before the path MTU is lowered) shows no UDP header:
	# UDP (protocol 17) is all it must be.
	expect_eq "plain ESP on r's outer link" "$(pcap_count 'ip proto 50')" 0
	expect_eq "anything but UDP on r's outer link" "$(pcap_count 'ip and not ip proto 17')" 0
	expect_eq "UDP not 4500 -> 4500 on r's outer link" \
		"$(pcap_count 'udp and ip[6:2] & 0x1fff = 0 and not (src port 4500 and dst port 4500)')" 0
	stats_delta "$before" "$($A nfsec -j stats)"
	[ "${DELTA[out_packets]}" -gt 100 ] || fail "out-packets: ${DELTA[out_packets]}"
	[ "${DELTA[in_packets]}" -gt 100 ] || fail "in-packets: ${DELTA[in_packets]}"
	for c in in_auth_fail in_replay in_malformed in_no_sa in_error in_keepalive out_error \
		out_no_sa out_too_big in_not_protected; do
		expect_eq "$c" "${DELTA[$c]}" 0
	done
}

# hostile: what anyone on the path can send to a's port 4500 (from r, the router).
hostile() {
	local before spi_seq junk
	natt_up gcm128
	$A ping -c 1 -W 3 -w 10 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b"
	before=$($A nfsec -j stats)
	junk=$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')
	spi_seq=00002001000003e8	# the SA's SPI, sequence number 1000
	$R python3 "$HELPER" udp 192.168.1.1 4500 ff
	$R python3 "$HELPER" udp 192.168.1.1 4500 0102030405
	$R python3 "$HELPER" udp 192.168.1.1 4500 deadbeef00000001$junk
	$R python3 "$HELPER" udp 192.168.1.1 4500 $spi_seq$junk
	$R python3 "$HELPER" udp 192.168.1.1 4500 00000000$junk
	$R python3 "$HELPER" esp 192.168.1.1 ${spi_seq}00000001$junk
	wait_stat in_auth_fail 1
	wait_until 30 "the drops counted" hostile_counted "$before"
	kill -0 $IKED || fail "nfsec-iked died"
	$A ping -c 2 -i 0.2 -W 3 -w 10 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b after"
	$B ping -c 2 -i 0.2 -W 3 -w 10 -I 10.0.2.1 10.0.1.1 > /dev/null || fail "ping b -> a after"
}

# transport: gcm128 transport mode for TCP between a and b through the NAT: b (XFRM) sees
# a as r's address, so the TCP checksums each side computes cover addresses the other
# does not see; ESP authenticated the segments, which both take as checked (RFC 3948
# 3.1.2). A TCP transfer a -> b checked by hash (its ACKs and b's SYN-ACK come back
# through nfsec), and r's outer link shows no TCP.
transport() {
	alg_words gcm128
	local esp="proto esp reqid 2 mode transport" encap="encap espinudp 4500 4500 0.0.0.0"
	local before cap
	ip -n b -batch - <<-EOF || fail "XFRM in b refused the states or policies"
	$FLUSH_B
	xfrm state add src $PUB dst 203.0.113.2 spi 0x1002 $esp $XF $encap
	xfrm state add src 203.0.113.2 dst $PUB spi 0x2002 $esp $XF $encap
	xfrm policy add src 203.0.113.2 dst $PUB proto tcp dir out tmpl $esp
	xfrm policy add src $PUB dst 203.0.113.2 proto tcp dir in tmpl $esp
	EOF
	local enc="encap udp sport 4500 dport 4500" tmpl="mode transport reqid 2"
	$A nfsec -batch - <<-EOF || fail "nfsec in a refused the SAs or policies"
	$FLUSH_A
	sa add spi 0x1002 dir out src 192.168.1.1 dst 203.0.113.2 $tmpl $NF $enc
	sa add spi 0x2002 dir in src 203.0.113.2 dst 192.168.1.1 $tmpl $NF $enc
	policy add dir out src 192.168.1.1 dst 203.0.113.2 proto tcp $tmpl
	policy add dir in src 203.0.113.2 dst 192.168.1.1 proto tcp $tmpl
	EOF
	before=$($A nfsec -j stats)
	$R tcpdump -i vrb -n -U --immediate-mode -w $NATT_DIR/r.pcap 2> $NATT_DIR/r.err &
	cap=$!
	wait_until 120 "tcpdump in r" grep -q listening $NATT_DIR/r.err
	tcp_check a 192.168.1.1 b 203.0.113.2
	sleep 0.5
	kill $cap
	wait $cap || true
	expect_eq "TCP on r's outer link" "$(pcap_count 'tcp')" 0
	[ "$(pcap_count 'udp port 4500')" -gt 100 ] || fail "too little ESP in UDP on r's outer link"
	stats_delta "$before" "$($A nfsec -j stats)"
	[ "${DELTA[in_packets]}" -gt 10 ] || fail "in-packets: ${DELTA[in_packets]}"
	expect_eq "in-malformed" "${DELTA[in_malformed]}" 0
	expect_eq "in-auth-fail" "${DELTA[in_auth_fail]}" 0
}

# mapping: b's ESP in UDP comes from a new port (as when the peer's NAT mapping moves; r
# forwards UDP 4500 to a, so a packet from b's new port reaches a): a's monitor shows the
# mapping event for the inbound SA, once; b no longer listens on its old port, so a's
# replies are lost until "nfsec sa set" moves a's SAs, after which traffic flows both
# ways with the sequence numbers going on (nothing dropped as a replay).
mapping() {
	local before mon sock41
	natt_up gcm128
	$A ping -c 2 -i 0.2 -W 3 -w 10 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b"
	$R nft add table ip portfwd
	$R nft add chain ip portfwd pre '{ type nat hook prerouting priority dstnat; }'
	$R nft add rule ip portfwd pre iifname vrb udp dport 4500 dnat to 192.168.1.1:4500
	$A nfsec monitor > $NATT_DIR/mon.out 2>&1 &
	mon=$!
	$B python3 "$HELPER" encap-socket 4501 > $NATT_DIR/encap41.out 2>&1 &
	sock41=$!
	wait_until 120 "b's second encapsulation socket" grep -q ready $NATT_DIR/encap41.out
	wait_until 30 "a's monitor" pgrep -f "nfsec monitor" > /dev/null
	# b: its SA's packets from port 4501, its old port closed to ESP in UDP.
	alg_words gcm128
	ip -n b -batch - <<-EOF || fail "XFRM in b did not take the new port"
	xfrm state update src 203.0.113.2 dst $PUB spi 0x2001 proto esp reqid 1 mode tunnel $XF encap espinudp 4501 4500 0.0.0.0
	EOF
	$B nft add table ip f
	$B nft add chain ip f in '{ type filter hook input priority 0; }'
	$B nft add rule ip f in udp dport 4500 drop
	before=$($A nfsec -j stats)
	$B ping -c 1 -W 2 -I 10.0.2.1 10.0.1.1 > /dev/null &&
		fail "b reached a on the old mapping, the test proves nothing"
	wait_until 30 "a's mapping event" grep -q "^mapping spi 0x2001 dst 192.168.1.1 from 203.0.113.2 port 4501, was 203.0.113.2 port 4500$" $NATT_DIR/mon.out
	$A nfsec sa set spi 0x1001 dst 203.0.113.2 encap udp sport 4500 dport 4501
	$A nfsec sa set spi 0x2001 dst 192.168.1.1 encap udp sport 4501 dport 4500
	$A nfsec sa get spi 0x1001 dst 203.0.113.2 | grep -q ' encap udp sport 4500 dport 4501 ' ||
		fail "sa get does not show the new port"
	wait_until 30 "a's sa set events" \
		test "$(grep -c '^sa set ' $NATT_DIR/mon.out)" -eq 2
	$B ping -c 3 -i 0.2 -W 3 -w 10 -I 10.0.2.1 10.0.1.1 > /dev/null || fail "ping b -> a, moved"
	$A ping -c 3 -i 0.2 -W 3 -w 10 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b, moved"
	tcp_check b 10.0.2.1 a 10.0.1.1
	expect_eq "mapping events" "$(grep -c '^mapping ' $NATT_DIR/mon.out)" 1
	stats_delta "$before" "$($A nfsec -j stats)"
	expect_eq "in-replay" "${DELTA[in_replay]}" 0
	expect_eq "in-auth-fail" "${DELTA[in_auth_fail]}" 0
	$B nft delete table ip f
	$R nft delete table ip portfwd
	kill $mon $sock41
}

hostile_counted() {
	stats_delta "$1" "$($A nfsec -j stats)"
	echo "keepalive ${DELTA[in_keepalive]} malformed ${DELTA[in_malformed]}" \
		"no-sa ${DELTA[in_no_sa]} auth-fail ${DELTA[in_auth_fail]}"
	[ "${DELTA[in_keepalive]}" = 1 ] && [ "${DELTA[in_malformed]}" = 2 ] &&
		[ "${DELTA[in_no_sa]}" = 1 ] && [ "${DELTA[in_auth_fail]}" = 1 ]
}

if [ "${1:-}" = case ]; then
	shift
	trap 'st=$?; [ $st -eq 0 ] || natt_diagnose; exit $st' EXIT
	"$@"
	exit 0
fi

module_load
trap 'stop_helpers; cleanup' EXIT
natt_setup
failed=()
for alg in gcm128 gcm256 chacha cbc128-sha256 cbc256-sha384 cbc256-sha512 null-sha256; do
	[[ "$alg" =~ ${ESP_ONLY:-.} ]] || continue
	run_case "$alg-tunnel-natt" bash "$0" case one_case "$alg" || failed+=("$alg")
done
for c in hostile transport mapping; do
	[[ $c =~ ${ESP_ONLY:-.} ]] || continue
	run_case "$c" bash "$0" case "$c" || failed+=("$c")
done
$A nfsec -batch - <<< "$FLUSH_A"
ip -n b -batch - <<< "$FLUSH_B"
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
