#!/bin/bash
# ESP interoperability, peer: Linux XFRM (`ip xfrm`) of the same kernel.
#
# Namespace a runs nfsec, namespace b runs XFRM, joined by a veth pair (192.168.1.0/24,
# fd01::/64); each has an inner network on a dummy device (10.0.1.0/24 | fd10:1::/64 in a,
# 10.0.2.0/24 | fd10:2::/64 in b). For every algorithm, in tunnel and transport mode, over
# IPv4 and IPv6 (and the two mixed tunnels), both sides get the same keys and SPIs; then
# ping and a TCP transfer (2 MB in the first case, 512 KB in the others), checked by
# SHA-256, go both ways while both sides capture what they send: the wire must show ESP and
# no cleartext of the protected flows, except the one flow (UDP to port 7777) that a bypass
# policy on each side exempts, which must be seen in clear and delivered. On the test
# kernel (KASAN: slow), a few cases run, with 256 KB.
#
#   60-esp-xfrm.sh                 the whole matrix, one case each
#   60-esp-xfrm.sh case ALG MODE INNER OUTER   one case (namespaces already set up)
# vm: cost 8
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"

# bypass_up: UDP to port 7777 between the protected prefixes goes in clear, by a policy
# that outranks the protect ones on both sides.
bypass_up() {
	local d
	for d in out in; do
		if [ $d = out ]; then set -- "$SEL_A" "$SEL_B"; else set -- "$SEL_B" "$SEL_A"; fi
		$A nfsec policy add dir $d action bypass priority 10 src "$1" dst "$2" \
			proto udp dport 7777
		$A nfsec policy add dir $d action bypass priority 10 src "$2" dst "$1" \
			proto udp dport 7777
		$B ip xfrm policy add dir $d priority 10 src "$1" dst "$2" proto udp dport 7777
		$B ip xfrm policy add dir $d priority 10 src "$2" dst "$1" proto udp dport 7777
	done
}

# udp_bypass FROM_NS FROM_ADDR TO_NS TO_ADDR: one datagram to port 7777, delivered.
udp_bypass() {
	local from=$1 src=$2 to=$3 addr=$4
	ip netns exec "$to" timeout 10 nc -u -l -W 1 "$addr" 7777 > /tmp/esp-udp &
	local srv=$!
	for _ in $(seq 1 50); do
		ip netns exec "$to" ss -lun | grep -q ":7777 " && break
		sleep 0.1
	done
	echo "bypass $from" | ip netns exec "$from" nc -u -w 1 -s "$src" "$addr" 7777 ||
		fail "nc -u $from -> $addr failed"
	wait $srv || fail "no bypassed datagram reached $to"
	expect_eq "bypassed datagram in $to" "$(cat /tmp/esp-udp)" "bypass $from"
}

# One case: ALG MODE INNER OUTER (families 4 or 6). The first case moves 2 MB each way,
# the others DATA_SIZE.
one_case() {
	local ia ib
	if [ "$*" = "gcm128 tunnel 4 4" ] && [ $SLOW = 0 ]; then
		DATA=/tmp/esp-data-2m
		head -c 2M /dev/urandom > $DATA
	fi
	esp_up "$@"
	bypass_up
	ia=$IA ib=$IB
	local before
	before=$($A nfsec -j stats)
	capture_start
	$A ping -c 2 -i 0.2 -W 3 -w 10 -I $ia $ib > /dev/null || fail "ping a -> b"
	$B ping -c 2 -i 0.2 -W 3 -w 10 -I $ib $ia > /dev/null || fail "ping b -> a"
	tcp_check a $ia b $ib
	tcp_check b $ib a $ia
	udp_bypass a $ia b $ib
	udp_bypass b $ib a $ia
	capture_stop

	local esp leak clear protected
	protected='(tcp or udp or icmp or (icmp6 and (ip6[40] == 128 or ip6[40] == 129)))'
	protected+=' and not udp port 7777'
	esp=$(count esp)
	leak=$(count "$protected")
	clear=$(count 'udp dst port 7777')
	echo "capture: $esp ESP packets, $leak in clear, $clear bypassed"
	[ "$leak" -eq 0 ] || tcpdump -r /tmp/esp-a.pcap -n -c 10 "$protected" 2> /dev/null
	[ "$esp" -gt 100 ] || fail "only $esp ESP packets on the wire"
	expect_eq "cleartext packets of protected flows" "$leak" 0
	expect_eq "bypassed packets in clear (one each way)" "$clear" 2
	# nfsec counted what it did, and dropped nothing.
	local after
	after=$($A nfsec -j stats)
	delta() { jq -n --argjson a "$before" --argjson b "$after" "\$b[\"$1\"] - \$a[\"$1\"]"; }
	[ "$(delta out_packets)" -gt 100 ] || fail "out-packets: $(delta out_packets)"
	[ "$(delta in_packets)" -gt 100 ] || fail "in-packets: $(delta in_packets)"
	for c in in_auth_fail in_replay in_malformed in_no_sa in_error out_error out_no_sa; do
		expect_eq "$c" "$(delta $c)" 0
	done
}

if [ "${1:-}" = case ]; then
	shift
	# A failed case leaves no tcpdump behind (it would hold the runner's pipe open).
	trap 'st=$?; [ $st -eq 0 ] || diagnose; kill "${CAP[@]}" 2> /dev/null || true; exit $st' EXIT
	[ -z "${ESP_TRACE:-}" ] || set -x
	one_case "$@"
	exit 0
fi

module_load
setup
failed=()
# ESP_ONLY=REGEX runs the matching cases alone (while debugging). The test kernel runs a
# few: every transform path once (AEAD and authenc, both modes, both families, a mix).
SLOW_CASES=" gcm128-tunnel-ipv4 gcm128-transport-ipv6 chacha-tunnel-ipv6 "
SLOW_CASES+="cbc128-sha256-transport-ipv4 gcm128-tunnel-ipv6-in-ipv4 "
only() {
	[[ "$1" =~ ${ESP_ONLY:-.} ]] && { [ $SLOW = 0 ] || [[ "$SLOW_CASES" == *" $1 "* ]]; }
}
for alg in gcm128 gcm256 chacha cbc128-sha256 cbc256-sha384 cbc256-sha512 null-sha256; do
	for mode in tunnel transport; do
		for fam in 4 6; do
			only "$alg-$mode-ipv$fam" || continue
			run_case "$alg-$mode-ipv$fam" bash "$0" case "$alg" "$mode" $fam $fam ||
				failed+=("$alg-$mode-ipv$fam")
		done
	done
done
if only gcm128-tunnel-ipv4-in-ipv6; then
	run_case gcm128-tunnel-ipv4-in-ipv6 bash "$0" case gcm128 tunnel 4 6 || failed+=(4-in-6)
fi
if only gcm128-tunnel-ipv6-in-ipv4; then
	run_case gcm128-tunnel-ipv6-in-ipv4 bash "$0" case gcm128 tunnel 6 4 || failed+=(6-in-4)
fi
flush
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
