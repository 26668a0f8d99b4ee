#!/bin/bash
# ESP interoperability, peer: Linux XFRM (`ip xfrm`) of the same kernel.
#
# Namespace a runs nfsec, namespace b runs XFRM, joined by a veth pair (192.168.1.0/24,
# fd01::/64); each has an inner network on a dummy device (10.0.1.0/24 | fd10:1::/64 in a,
# 10.0.2.0/24 | fd10:2::/64 in b). For every algorithm, in tunnel and transport mode, over
# IPv4 and IPv6 (and the two mixed tunnels), both sides get the same keys and SPIs; then
# ping and a TCP transfer of 2 MB, checked by SHA-256, go both ways while both sides capture
# what they send: the wire must show ESP and no cleartext of the protected flows. On the
# test kernel (KASAN: slow), a few cases run, with 256 KB instead of 2 MB.
#
#   60-esp-xfrm.sh                 the whole matrix, one case each
#   60-esp-xfrm.sh case ALG MODE INNER OUTER   one case (namespaces already set up)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"

# One case: ALG MODE INNER OUTER (families 4 or 6).
one_case() {
	local ia ib
	esp_up "$@"
	ia=$IA ib=$IB
	local before
	before=$($A nfsec -j stats)
	capture_start
	$A ping -c 2 -i 0.2 -W 3 -w 10 -I $ia $ib > /dev/null || fail "ping a -> b"
	$B ping -c 2 -i 0.2 -W 3 -w 10 -I $ib $ia > /dev/null || fail "ping b -> a"
	tcp_check a $ia b $ib
	tcp_check b $ib a $ia
	capture_stop

	local esp leak
	esp=$(count esp)
	leak=$(count 'tcp or udp or icmp or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))')
	echo "capture: $esp ESP packets, $leak in clear"
	[ "$leak" -eq 0 ] || tcpdump -r /tmp/esp-a.pcap -n -c 10 \
		'tcp or udp or icmp or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))' 2> /dev/null
	[ "$esp" -gt 100 ] || fail "only $esp ESP packets on the wire"
	expect_eq "cleartext packets of protected flows" "$leak" 0
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
