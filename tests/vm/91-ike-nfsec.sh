#!/bin/bash
# vm: stock kernel only (userspace under test; see tests/vm/run)
# IKEv1 between two nfsec-iked, each with the nfsec module: namespace a and namespace b of
# esp-lib.sh, the same matrix as 90-ike-strongswan (where the peer is strongSwan): main
# mode and aggressive mode with pre-shared keys, main mode with certificates, AES-GCM and
# AES-CBC/HMAC ESP, with and without PFS; the first ping from a brings the tunnel up and
# traffic passes both ways; a proposal mismatch and a wrong key leave both down, each
# saying why, with no SA; a configuration reloaded in place changes one tunnel and not
# the other; dead peer detection declares a killed peer dead and clears or restarts.
#
#   gateway   a is the gateway of c's network 10.0.5.0/24 (the tunnel's local-ts): b's
#             traffic to c goes in ESP, a decrypts it and forwards it under the tunnel's
#             fwd policy; cleartext from b's network to c (b bypasses its own policy for
#             it) is dropped by a's fwd policy, counted as not protected, never heard by c
#
#   91-ike-nfsec.sh case NAME    one case (namespaces already set up)
# vm: cost 8
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"
. "$(dirname "$0")/ike-lib.sh"

# both WORDS_A -- WORDS_B: the two daemons, with what each side's tunnel adds.
both() {
	local wa=() wb=() side=a w
	for w in "$@"; do
		if [ "$w" = -- ]; then side=b; continue; fi
		if [ $side = a ]; then wa+=("$w"); else wb+=("$w"); fi
	done
	iked_start b $IKE_B "${wb[@]}"
	iked_start a $IKE_A "${wa[@]}"
}

up() {
	ike_traffic
	shows a ESTABLISHED
	shows b ESTABLISHED
	expect_eq "SAs in b" "$($B nfsec -j sa show | jq length)" 2
}

down() {  # down WHY_A WHY_B
	ike_stays_down "$1"
	shows a "$1"
	shows b "$2"
	expect_eq "SAs in a" "$($A nfsec -j sa show | jq length)" 0
	expect_eq "SAs in b" "$($B nfsec -j sa show | jq length)" 0
}

P="auth psk psk sesame"

case_main_psk_gcm() {
	both $P ike aes128-sha256-modp2048 esp aes128gcm16 lifebytes 100M -- \
		$P ike aes128-sha256-modp2048 esp aes128gcm16 lifebytes 100M
	up
	iked_caps a
	iked_caps b
	counters_shown
}

# counters_shown: a's tunnel show -s gives each way of its SA pair the module's counts
# (the pings and TCP of up() went through it), nothing dropped, what its 100M lifebytes
# leave; and the same as the SAs' own.
counters_shown() {
	local show in out sa_in
	show=$(tunnel a tunnel show -s t)
	echo "$show"
	in=$(sed -n 's/^    in: \([0-9]*\) packets, [0-9]* bytes, [0-9]* KB left; dropped: none$/\1/p' \
		<<< "$show")
	out=$(sed -n 's/^    out: \([0-9]*\) packets, [0-9]* bytes, [0-9]* KB left; dropped: none$/\1/p' \
		<<< "$show")
	[ -n "$in" ] && [ "$in" -gt 0 ] || fail "tunnel show -s: no \"in: N packets\" line"
	[ -n "$out" ] && [ "$out" -gt 0 ] || fail "tunnel show -s: no \"out: N packets\" line"
	sa_in=$($A nfsec -j sa show | jq '[.[] | select(.dir == "in")][0]')
	[ "$(jq .packets <<< "$sa_in")" -ge "$in" ] || fail "the SA counted fewer packets"
	expect_eq "kilobytes left of 100M" "$(jq '.kilobytes_left < 102400 and .kilobytes_left > 100000' <<< "$sa_in")" true
	tunnel a -j tunnel show t | jq -e '.[0].phase2[0].in.drops.replay == 0 and
		.[0].phase2[0].out.packets > 0' > /dev/null ||
		fail "tunnel show -j lacks the counters"
}

case_main_psk_cbc_pfs() {
	both $P ike aes256-sha512-ecp384 esp aes256-sha256 pfs modp2048 -- \
		$P ike aes256-sha512-ecp384 esp aes256-sha256 pfs modp2048
	up
}

case_aggressive_psk() {
	both $P mode aggressive ike aes128-sha256-curve25519 esp aes256gcm16 -- \
		$P mode aggressive ike aes128-sha256-curve25519 esp aes256gcm16
	up
}

# Main mode with RSA signatures: certificates of one CA, each side checking the other's
# subject; AES-CBC/HMAC with PFS here (90-ike-strongswan does AES-GCM without).
case_main_cert() {
	local ca="ca $PKI/ca.pem" e="ike aes256-sha256-modp3072 esp aes256-sha256 pfs modp3072"
	pki_make
	both auth cert cert $PKI/moon.pem key $PKI/moon.key $ca \
		"remote-id \"C=CH, O=nfsec, CN=sun\"" $e -- \
		auth cert cert $PKI/sun.pem key $PKI/sun.key $ca \
		"remote-id \"C=CH, O=nfsec, CN=moon\"" $e
	up
	grep -q "established with 'C=CH, O=nfsec, CN=sun' (RSA signature)" \
		$IKE_DIR/a/iked.log || fail "a does not log sun's certificate identity"
	grep -q "established with 'C=CH, O=nfsec, CN=moon' (RSA signature)" \
		$IKE_DIR/b/iked.log || fail "b does not log moon's certificate identity"
}

case_no_proposal() {
	both $P ike aes128-sha256-modp2048 esp aes128gcm16 -- $P ike aes128-sha256-ecp256 \
		esp aes128gcm16
	down "NO-PROPOSAL-CHOSEN" "DH group"
}

case_wrong_psk() {
	both $P ike aes128-sha256-modp2048 -- auth psk psk open-sesame ike aes128-sha256-modp2048
	down "pre-shared keys" "pre-shared keys differ"
}

# b loses everything (killed with its SAs and policies, as in a reboot) and comes back:
# its first packet brings the tunnel up again, with INITIAL-CONTACT, and a drops what it
# held with b at once instead of keeping it until the usual delay for replaced SAs.
case_initial_contact() {
	local w="$P ike aes128-sha256-modp2048 esp aes128gcm16"
	both $w -- $w
	up
	iked_crash b
	iked_start b $IKE_B $w
	ike_up b 10.0.2.1 10.0.1.1
	sas_are a 2
	grep -q "INITIAL-CONTACT: 1 phase-1 and 1 phase-2 SAs of before deleted" \
		$IKE_DIR/a/iked.log || fail "a did not act on b's INITIAL-CONTACT"
	up
}

# Dead peer detection (RFC 3706) between two nfsec-iked, a asking every 2 s of silence
# (periodic: no traffic needed) and b answering. b_answers N: b sent N R-U-THERE-ACKs.
DPD="dpd 2s dpd-timeout 6s dpd-mode periodic"
b_answers() { [ "$(grep -c 'R-U-THERE-ACK' $IKE_DIR/b/iked.log)" -ge "$1" ]; }
# since_dead REGEX: a's log after it declared b dead has a line matching REGEX.
since_dead() { grep -q "$1" <<< "$(sed -n '/declared dead/,$p' $IKE_DIR/a/iked.log)"; }

# dpd_alive_then_dead: answered R-U-THEREs keep the tunnel up past dpd-timeout; then b is
# killed with its SAs (a reboot) and a declares it dead within dpd + dpd-timeout and a
# retry, its SAs gone, "tunnel show" saying why.
dpd_alive_then_dead() {
	wait_until 30 "b answering four of a's R-U-THEREs (8 s, past the 6 s timeout)" b_answers 4
	grep -q "R-U-THERE-ACK [0-9]*: the peer is alive" $IKE_DIR/a/iked.log ||
		fail "a took none of b's answers"
	dead_in_a && fail "a declared b dead while b answered"
	shows a ESTABLISHED
	iked_crash b
	wait_until 16 "a declaring b dead (2 s + 6 s + a retry)" dead_in_a
	grep "declared dead" $IKE_DIR/a/iked.log
	sas_are a 0
	shows a "down: dead peer at [0-9:]*: no answer to R-U-THERE in [0-9]* s"
}

# dpd-action clear: after the death, traffic does not negotiate (it is dropped, never sent
# in clear); "tunnel up" does, once b is back.
case_dpd_clear() {
	local w="$P ike aes128-sha256-modp2048 esp aes128gcm16"
	both $w $DPD -- $w
	up
	dpd_alive_then_dead
	grep -q "dpd-action clear" $IKE_DIR/a/iked.log || fail "the log does not name the action"
	iked_start b $IKE_B $w
	$A ping -c 2 -W 1 -I 10.0.1.1 10.0.2.1 > /dev/null && fail "a ping passed with no SA"
	wait_until 10 "a's traffic held back" grep -q "waiting for \"nfsec tunnel up\"" \
		$IKE_DIR/a/iked.log
	since_dead "starting phase 1" && fail "a negotiated again after clear"
	sas_are a 0
	tunnel a tunnel up t
	sas_are a 2
	up
}

# dpd-action restart: a negotiates again at once, and keeps at it until b is back (b comes
# back a few seconds later): up again without a packet of traffic.
case_dpd_restart() {
	local w="$P ike aes128-sha256-modp2048 esp aes128gcm16"
	both $w $DPD dpd-action restart -- $w
	up
	dpd_alive_then_dead
	wait_until 10 "a negotiating again" since_dead "starting phase 1"
	sleep 3		# b stays away a little: a's first tries go unanswered
	iked_start b $IKE_B $w
	wait_until 60 "a's tunnel back by itself" sas_count_is a 2
	up
}

# dpd-action hold, on demand (the default): a quiet tunnel asks nothing; once b is killed,
# a's pings (sending, hearing nothing) make it ask and declare b dead, its SAs gone; its
# policies hold the traffic, and the pings negotiate again when b is back.
case_dpd_hold() {
	local w="$P ike aes128-sha256-modp2048 esp aes128gcm16" ping
	both $w dpd 2s dpd-timeout 6s dpd-action hold -- $w
	up
	sleep 5		# quiet: on demand, nothing to ask
	expect_eq "R-U-THEREs a sent on a quiet tunnel" \
		"$(grep -c 'R-U-THERE [0-9]' $IKE_DIR/a/iked.log || true)" 0
	iked_crash b
	$A ping -i 0.5 -W 1 -I 10.0.1.1 10.0.2.1 > /dev/null 2>&1 &
	ping=$!
	wait_until 20 "a declaring b dead (asked while sending)" dead_in_a
	grep -q "dpd-action hold" $IKE_DIR/a/iked.log || fail "the log does not name the action"
	iked_start b $IKE_B $w
	wait_until 60 "a's pings negotiating again" sas_count_is a 2
	kill $ping
	wait $ping || true
	up
}

# Rekeying under a steady ping and TCP stream (rekey_traffic in ike-lib.sh) with both
# ends on the same lifetimes, so that both start quick modes for the pair at about the
# same moment: crossed rekeys must cost no packet and leave one SA pair.
case_rekey() {
	local w="$P ike aes128-sha256-modp2048 esp aes128gcm16 $IKE_REKEY"
	both $w -- $w
	ike_traffic
	rekey_traffic
	sas_settle b
	grep -h "rekeys crossed" $IKE_DIR/a/iked.log $IKE_DIR/b/iked.log || true
	shows a ESTABLISHED
	shows b ESTABLISHED
}

# Transport mode, host to host, with ChaCha20-Poly1305 (IKEv1 has no number for it: both
# use IKEv2's) and PFS on Curve25519.
case_transport_chacha() {
	local w="$P ike aes256-sha256-curve25519 esp chacha20poly1305 pfs curve25519"
	iked_start b local 192.168.1.2 remote 192.168.1.1 local-ts 192.168.1.2/32 \
		remote-ts 192.168.1.1/32 encap transport $w
	iked_start a local 192.168.1.1 remote 192.168.1.2 local-ts 192.168.1.1/32 \
		remote-ts 192.168.1.2/32 encap transport $w
	host_traffic
	shows a "chacha20poly1305"
	expect_eq "SA mode in b" "$($B nfsec -j sa show | jq -r '.[0].mode')" transport
}

# Rekeys that cross: both ends start a quick mode for the pair before either has heard
# the other's (nft drops their first messages for a second; the retransmissions cross,
# and both exchanges run to the end). An end that had its own running when the other's
# came sees the crossing (each logs it once at most, one at least); the one that did not
# may have taken the other's for a plain rekey, and goes back to the pair kept when its
# peer deletes the redundant one. Both keep the same SA pair, and pings running through
# it all lose nothing.
case_crossed_rekey() {
	local w="$P ike aes128-sha256-modp2048 esp aes128gcm16" pings ns spi
	both $w -- $w
	ike_up
	for ns in a b; do
		nsenter --net=/run/netns/$ns nft add table inet hold
		nsenter --net=/run/netns/$ns nft add chain inet hold out \
			'{ type filter hook output priority 0; }'
		nsenter --net=/run/netns/$ns nft add rule inet hold out udp dport 500 drop
	done
	$A ping -c 60 -i 0.2 -W 2 -I 10.0.1.1 10.0.2.1 > $IKE_DIR/pings.txt &
	pings=$!
	tunnel a tunnel up t
	tunnel b tunnel up t
	sleep 1
	for ns in a b; do nsenter --net=/run/netns/$ns nft delete table inet hold; done
	wait $pings || fail "pings lost while the rekeys crossed: $(tail -n 2 $IKE_DIR/pings.txt)"
	local n seen=0
	for ns in a b; do
		n=$(grep -c "rekeys crossed" $IKE_DIR/$ns/iked.log || true)
		[ "$n" -le 1 ] || fail "$ns logged $n crossings"
		seen=$((seen + n))
		sas_are $ns 2
	done
	[ $seen -ge 1 ] || fail "neither end saw the rekeys cross"
	spi=$($A nfsec -j sa show | jq '.[] | select(.dir == "out") | .spi')
	expect_eq "b's inbound SPI" "$($B nfsec -j sa show | jq '.[] | select(.dir == "in") | .spi')" \
		"$spi"
	ike_traffic
}

# Two selector pairs (b has a second inner network, 10.0.3.0/24): traffic to each brings
# up its own phase-2 SA pair, both over the one phase 1.
case_two_pairs() {
	local w="$P ike aes128-sha256-modp2048 esp aes128gcm16"
	$B ip addr add 10.0.3.1/24 dev inner
	$A ip route add 10.0.3.0/24 via 192.168.1.2
	iked_start b local 192.168.1.2 remote 192.168.1.1 local-ts 10.0.2.0/24,10.0.3.0/24 \
		remote-ts 10.0.1.0/24 $w
	iked_start a local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.1.0/24 \
		remote-ts 10.0.2.0/24,10.0.3.0/24 $w
	ike_up
	ike_traffic 10.0.1.1 10.0.3.1
	expect_eq "phase 1s in a" "$(grep -c "phase 1 established" $IKE_DIR/a/iked.log)" 1
	expect_eq "phase 2s in a" "$(grep -c "phase 2 SA up" $IKE_DIR/a/iked.log)" 2
	sas_are a 4
	sas_are b 4
	shows a "10.0.3.0/24 ESTABLISHED"
}

# gateway: the tunnel between a's c behind it (10.0.5.0/24) and b's network.
case_gateway() {
	local w="$P ike aes128-sha256-modp2048 esp aes128gcm16" np
	behind_a 10.0.5.2 10.0.5.1 24
	iked_start b local 192.168.1.2 remote 192.168.1.1 local-ts 10.0.2.0/24 \
		remote-ts 10.0.5.0/24 $w
	iked_start a local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.5.0/24 \
		remote-ts 10.0.2.0/24 $w
	$B ip route add 10.0.5.0/24 via 192.168.1.1
	ike_up b 10.0.2.1 10.0.5.2
	nsenter --net=/run/netns/c ping -c 2 -i 0.2 -W 2 10.0.2.1 > /dev/null ||
		fail "ping c -> b through a"
	expect_eq "a's fwd policies" "$($A nfsec -j policy show |
		jq -c '[.[] | select(.dir == "fwd") | [.src, .dst, .action]]')" \
		'[["10.0.2.0/24","10.0.5.0/24","protect"]]'
	tcp_check b 10.0.2.1 c 10.0.5.2
	# cleartext from b's network to c: b lets it out in clear, a must not forward it
	$B nfsec policy add dir out action bypass priority 10 src 10.0.2.1 dst 10.0.5.2 \
		proto udp dport 7000
	nsenter --net=/run/netns/c timeout 10 nc -u -l -W 1 10.0.5.2 7000 > /tmp/heard-7000 &
	wait_until 120 "c's UDP listener" listening c udp 7000
	np=$(stat in_not_protected)
	nsenter --net=/run/netns/b python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.2.1", 0))
s.sendto(b"spoof", ("10.0.5.2", 7000))'
	wait_stat in_not_protected $((np + 1))
	sleep 0.5
	expect_eq "what c heard" "$(cat /tmp/heard-7000)" ""
	$B ip route del 10.0.5.0/24 via 192.168.1.1
}

# a's quick mode message 3 lost once (nft drops a's first outgoing IKE datagram of that
# size: 104 bytes with HMAC-SHA-256 and AES-CBC): b sends message 2 again, a answers it
# with message 3 again although its exchange is done, and the SAs of that exchange carry
# the traffic (b neither gives up on it nor needs another).
case_lost_qm3() {
	local w="$P ike aes128-sha256-modp2048 esp aes128gcm16" watcher
	both $w -- $w
	# The quota drops the first such datagram alone, however late the watcher below
	# takes the table away (on a guest sharing the cores, the resend can come first).
	$A nft -f - <<-EOF
	table inet lossy {
		counter dropped { }
		chain out {
			type filter hook output priority 0;
			udp dport 500 ip length 104 quota until 105 bytes counter name dropped drop
		}
	}
	EOF
	(
		for _ in $(seq 1 400); do
			$A nft list counter inet lossy dropped | grep -q "packets [1-9]" && break
			sleep 0.05
		done
		$A nft list counter inet lossy dropped | grep -o "packets [0-9]*"
		$A nft delete table inet lossy
	) > $IKE_DIR/lossy.txt &
	watcher=$!
	ike_up
	wait $watcher
	expect_eq "message 3 datagrams dropped" "$(cat $IKE_DIR/lossy.txt)" "packets 1"
	grep -q "message 2 again: message 3 resent" $IKE_DIR/a/iked.log ||
		fail "a did not resend message 3"
	expect_eq "phase-2 SAs b made" "$(grep -c "phase 2 SA up" $IKE_DIR/b/iked.log)" 1
	up
}

# The configuration edited under running tunnels, then "nfsec tunnel reload" in a: t (to
# 192.168.1.2, for 10.0.2.0/24) unchanged keeps its SAs, SPIs and all; u (to b's second
# address, 192.168.1.3, for 10.0.3.0/24) changes its esp proposal and auto word, so it is
# taken down (b told) and comes up again with the new proposal. A file with an error then
# changes nothing and says where.
case_reload() {
	local w="$P ike aes128-sha256-modp2048" u spis
	$B ip addr replace 192.168.1.3/24 dev vb
	$B ip addr replace 10.0.3.1/24 dev inner
	$A ip route replace 10.0.3.0/24 via 192.168.1.3
	u="local 192.168.1.1 remote 192.168.1.3 local-ts 10.0.1.0/24 remote-ts 10.0.3.0/24 $w"
	mkdir -p $IKE_DIR/a $IKE_DIR/b
	printf 'tunnel t %s\ntunnel u %s\n' "$IKE_B $w esp aes128gcm16" \
		"local 192.168.1.3 remote 192.168.1.1 local-ts 10.0.3.0/24 remote-ts 10.0.1.0/24 \
$w esp aes256gcm16,aes128gcm16" > $IKE_DIR/b/iked.conf
	printf 'tunnel t %s\ntunnel u %s\n' "$IKE_A $w esp aes128gcm16" "$u esp aes128gcm16" \
		> $IKE_DIR/a/iked.conf
	iked_run b
	iked_run a
	ike_up a 10.0.1.1 10.0.2.1
	ike_up a 10.0.1.1 10.0.3.1
	sas_are a 4
	spis=$(tunnel a -j tunnel show t | jq -c '[.[0].phase2[0].spi_in, .[0].phase2[0].spi_out]')

	printf 'tunnel t %s\ntunnel u %s\n' "$IKE_A $w esp aes128gcm16" \
		"$u esp aes256gcm16 auto start" > $IKE_DIR/a/iked.conf
	expect_eq "nfsec tunnel reload" "$(tunnel a tunnel reload)" \
		"reloaded: 0 added, 1 changed, 0 removed, 1 unchanged"
	wait_until 30 "u up again with aes256gcm16" u_is "ESTABLISHED.* aes256gcm16"
	expect_eq "t's SPIs" "$(tunnel a -j tunnel show t | \
		jq -c '[.[0].phase2[0].spi_in, .[0].phase2[0].spi_out]')" "$spis"
	ike_traffic 10.0.1.1 10.0.3.1
	ike_traffic 10.0.1.1 10.0.2.1
	sas_are b 4

	echo "tunnel v bogus" >> $IKE_DIR/a/iked.conf
	if tunnel a tunnel reload > $IKE_DIR/reload.txt 2>&1; then
		fail "a reload of a bad file succeeded"
	fi
	grep -q "iked.conf:3: .*; nothing changed" $IKE_DIR/reload.txt ||
		fail "the failed reload says: $(cat $IKE_DIR/reload.txt)"
	expect_eq "t's SPIs after the failed reload" "$(tunnel a -j tunnel show t | \
		jq -c '[.[0].phase2[0].spi_in, .[0].phase2[0].spi_out]')" "$spis"
	shows a "aes256gcm16"
}

# u_is REGEX: a's tunnel u shows a phase 2 line matching REGEX.
u_is() { tunnel a tunnel show u | grep -q "phase 2: .*$1"; }

if [ "${1:-}" = case ]; then
	trap 'st=$?; [ $st -eq 0 ] || { tail -n 30 $IKE_DIR/a/iked.log $IKE_DIR/b/iked.log;
		diagnose; }; iked_stop_all || st=1; $B nfsec sa flush; $B nfsec policy flush; flush;
		cleanup; exit $st' EXIT
	rm -rf $IKE_DIR
	"case_$2"
	exit 0
fi

module_load
setup
failed=()
for c in ${IKE_ONLY:-main_psk_gcm main_psk_cbc_pfs aggressive_psk main_cert no_proposal wrong_psk \
	initial_contact two_pairs transport_chacha lost_qm3 reload dpd_clear dpd_restart dpd_hold \
	crossed_rekey rekey gateway}; do
	run_case "${c//_/-}" bash "$0" case "$c" || failed+=("$c")
done
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
