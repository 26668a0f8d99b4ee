#!/bin/bash
# vm: stock kernel only (userspace under test; see tests/vm/run)
# IKEv1 interoperability, peer: strongSwan's charon (IKEv1, kernel XFRM) in namespace b;
# nfsec-iked with the nfsec module in namespace a (the topology of esp-lib.sh):
#
#   a: nfsec-iked + nfsec.ko          b: charon + XFRM
#      inner 10.0.1.1/24                 inner 10.0.2.1/24
#      va 192.168.1.1  ----- veth -----  vb 192.168.1.2
#
# Each case configures both sides, then the first ping from a's inner network must bring
# the tunnel up (ACQUIRE -> phase 1 -> quick mode), ping and TCP must pass both ways, and
# charon must list the IKE SA and the CHILD SA as up; refusals must leave both sides down,
# each saying why; rekeying of both phases under traffic must lose no packet.
#
#   90-ike-strongswan.sh case NAME    one case (namespaces already set up)
# vm: cost 12
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"
. "$(dirname "$0")/ike-lib.sh"

# peer CONN_WORDS CHILD_WORDS [PSK]: charon in b, with connection "nfsec" to a.
peer() {
	swanctl_conf b 192.168.1.2 192.168.1.1 10.0.2.0/24 10.0.1.0/24 "$1" "$2" "${3:-sesame}"
	charon_start b b
	swanctl_load b
}

diagnose_ike() {
	set +e
	trap - ERR
	echo "--- nfsec-iked:"; tail -40 $IKE_DIR/a/iked.log
	echo "--- nfsec tunnel show:"; tunnel a tunnel show
	echo "--- charon:"
	grep -E "\[(IKE|ENC|NET|KNL)\]" $IKE_DIR/b/charon.log | grep -v "^ *[0-9]*\[...\]  " |
		tail -40
	swanctl b --list-sas
	diagnose
}

# up: traffic through the tunnel, and both sides' view of it.
up() {
	ike_traffic
	swanctl b --list-sas > $IKE_DIR/b/sas.txt
	cat $IKE_DIR/b/sas.txt
	grep -q "ESTABLISHED" $IKE_DIR/b/sas.txt || fail "charon shows no IKE SA up"
	grep -q "INSTALLED" $IKE_DIR/b/sas.txt || fail "charon shows no CHILD SA installed"
	shows a ESTABLISHED
}

case_main_psk_gcm() {
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
	iked_start a $IKE_A auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16
	up
}

case_main_psk_cbc_pfs() {
	peer "proposals = aes256-sha512-ecp384" "esp_proposals = aes256-sha256-modp2048"
	iked_start a $IKE_A auth psk psk sesame ike aes256-sha512-ecp384 esp aes256-sha256 \
		pfs modp2048
	up
}

case_aggressive_psk() {
	peer "aggressive = yes
			proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
	iked_start a $IKE_A auth psk psk sesame mode aggressive ike aes128-sha256-modp2048 \
		esp aes128gcm16
	up
	grep -q "offline" $IKE_DIR/a/iked.log || fail "no warning about aggressive mode with a PSK"
}

# Main mode with RSA signatures: certificates of one CA, each side checking the other's
# subject.
case_main_cert() {
	pki_make
	swanctl_conf_cert b 192.168.1.2 192.168.1.1 10.0.2.0/24 10.0.1.0/24 \
		"proposals = aes256-sha256-modp3072" "esp_proposals = aes256gcm16" sun moon
	charon_start b b
	swanctl_load b
	iked_start a $IKE_A auth cert cert $PKI/moon.pem key $PKI/moon.key ca $PKI/ca.pem \
		"remote-id \"C=CH, O=nfsec, CN=sun\"" ike aes256-sha256-modp3072 esp aes256gcm16
	up
	grep -q "authentication of 'C=CH, O=nfsec, CN=moon' with RSA.* successful" \
		$IKE_DIR/b/charon.log || fail "charon did not log moon's RSA authentication"
	grep -q "established with 'C=CH, O=nfsec, CN=sun' (RSA signature)" \
		$IKE_DIR/a/iked.log || fail "nfsec does not log sun's certificate identity"
}

# Rekeying under a steady ping and TCP stream (rekey_traffic in ike-lib.sh); charon only
# answers (no rekeying of its own) and must get a delete for each SA nfsec replaced.
# b_settled: charon's XFRM holds no more than the pair in use and one being replaced.
b_settled() { [ "$($B ip xfrm state | grep -c '^src')" -le 4 ]; }

case_rekey() {
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16
				rekey_time = 0"
	iked_start a $IKE_A auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16 \
		$IKE_REKEY
	ike_traffic
	rekey_traffic
	grep -q "received DELETE for ESP CHILD_SA" $IKE_DIR/b/charon.log ||
		fail "charon never got a delete for an old SA"
	# the pair replaced last goes DAEMON_OLD_SA_DELAY_MS after its successor came
	wait_until 30 "old SAs gone from b" b_settled
	shows a ESTABLISHED
}

# Lifetimes in kilobytes: phase 2 good for 160 KiB (rekeyed at 90 %) or an hour; 28 s of
# a 24 KiB/s TCP stream with pings alongside must rekey on bytes alone, three times at
# least, and lose no ping; charon accepts the kilobytes in our proposals (it keeps its own
# lifetimes, here none, and lets the initiator rekey).
case_rekey_bytes() {
	local rekeys
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16
				rekey_time = 0"
	iked_start a $IKE_A auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16 \
		lifetime 1h lifebytes 160K
	ike_up
	tcp_stream_start a 10.0.1.1 b 10.0.2.1 28 24
	pings_all 140
	tcp_stream_check
	rekeys=$(grep -c "soft-expired: rekeying" $IKE_DIR/a/iked.log || true)
	echo "rekeys on bytes: $rekeys"
	[ "$rekeys" -ge 3 ] || fail "only $rekeys rekeys for 672 KiB at 160 KiB an SA"
}

# Transport mode, host to host: the selectors are the two addresses (IKE itself always
# passes in clear).
case_transport() {
	swanctl_conf b 192.168.1.2 192.168.1.1 192.168.1.2/32 192.168.1.1/32 \
		"proposals = aes256-sha384-ecp256" "esp_proposals = aes256-sha384
					mode = transport" sesame
	charon_start b b
	swanctl_load b
	iked_start a local 192.168.1.1 remote 192.168.1.2 local-ts 192.168.1.1/32 \
		remote-ts 192.168.1.2/32 encap transport auth psk psk sesame \
		ike aes256-sha384-ecp256 esp aes256-sha384
	host_traffic
	swanctl b --list-sas > $IKE_DIR/b/sas.txt
	cat $IKE_DIR/b/sas.txt
	grep -q "INSTALLED, TRANSPORT" $IKE_DIR/b/sas.txt || fail "charon shows no transport SA"
	shows a ESTABLISHED
}

# Deletes both ways: charon ends the IKE SA (deleting its CHILD SA first), nfsec drops both
# phases at once and the next packet negotiates again; then "nfsec tunnel down" ends it
# from our side and charon drops everything.
case_delete() {
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
	iked_start a $IKE_A auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16
	up
	swanctl b --terminate --ike nfsec > /dev/null || fail "charon could not terminate"
	sas_are a 0
	grep -q "the peer deleted phase 1" $IKE_DIR/a/iked.log ||
		fail "nfsec did not take charon's delete of phase 1"
	up
	tunnel a tunnel down t
	sas_are a 0
	for _ in $(seq 1 20); do
		[ "$($B ip xfrm state | grep -c '^src' || true)" = 0 ] && break
		sleep 0.1
	done
	expect_eq "SAs in charon's kernel" "$($B ip xfrm state | grep -c '^src' || true)" 0
	swanctl b --list-sas | grep -q ESTABLISHED && fail "charon still has the IKE SA"
	true
}

# INITIAL-CONTACT both ways: a side that lost its state (killed with its kernel SAs, as in
# a reboot) announces it when it comes back, and the other drops what it held at once.
case_initial_contact() {
	local w="auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16"
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
	iked_start a $IKE_A $w
	up
	# nfsec comes back: charon keeps only the new IKE SA and CHILD SA.
	iked_crash a
	iked_start a $IKE_A $w
	up
	expect_eq "IKE SAs in charon" "$(grep -c ESTABLISHED $IKE_DIR/b/sas.txt)" 1
	expect_eq "CHILD SAs in charon" "$(grep -c INSTALLED $IKE_DIR/b/sas.txt)" 1
	# charon comes back and initiates: nfsec keeps only the new SAs.
	charon_crash b b
	charon_start b b
	swanctl_load b
	swanctl b --initiate --child net > $IKE_DIR/b/initiate.txt 2>&1 ||
		fail "charon could not bring the tunnel up again"
	grep -q "INITIAL-CONTACT: 1 phase-1 and 1 phase-2 SAs of before deleted" \
		$IKE_DIR/a/iked.log || fail "nfsec did not act on charon's INITIAL-CONTACT"
	sas_are a 2
	up
}

# Dead peer detection (RFC 3706) against charon, each way in a case of its own (either
# side's R-U-THEREs are proof of life to the other, which then never needs to ask).
# Peer: strongSwan's charon 5.9.8, IKEv1.
a_log_has() { [ "$(grep -c "$2" $IKE_DIR/a/iked.log)" -ge "$1" ]; }

# charon asks (dpd_delay 2s), nfsec answers, for longer than charon waits for an answer
# (dpd_timeout 6s): charon keeps its SAs. nfsec announced DPD, or charon would not ask.
case_dpd_answer() {
	peer "proposals = aes128-sha256-modp2048
	dpd_delay = 2s
	dpd_timeout = 6s" "esp_proposals = aes128gcm16
	dpd_action = clear"
	iked_start a $IKE_A auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16
	up
	wait_until 30 "nfsec answering five of charon's R-U-THEREs" a_log_has 5 "R-U-THERE-ACK"
	swanctl b --list-sas > $IKE_DIR/b/sas.txt
	grep -q "INSTALLED" $IKE_DIR/b/sas.txt || fail "charon let its SAs go"
	shows a ESTABLISHED
}

# nfsec asks (dpd 2s, periodic) and charon answers, past nfsec's 6 s timeout; then charon
# is killed with b's XFRM state (a reboot): nfsec declares it dead within 2 s + 6 s and a
# retry, its SAs gone.
case_dpd() {
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
	iked_start a $IKE_A auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16 \
		dpd 2s dpd-timeout 6s dpd-mode periodic
	up
	wait_until 30 "charon answering four of nfsec's R-U-THEREs (8 s)" \
		a_log_has 4 "R-U-THERE-ACK [0-9]*: the peer is alive"
	dead_in_a && fail "nfsec declared charon dead while it answered"
	shows a ESTABLISHED
	charon_crash b b
	wait_until 16 "nfsec declaring charon dead" dead_in_a
	grep "declared dead" $IKE_DIR/a/iked.log
	sas_are a 0
	shows a "down: dead peer at"
}

# Road warrior: nfsec-iked answers "remote %any", charon initiates (main mode, PSK) for
# 10.0.1.0/24 <-> 10.0.2.0/24. nfsec must key its SAs to b's real address, put in the
# tunnel's policies for that peer (tunnel-mode templates between the real endpoints), so
# that both sides send ESP and no cleartext of the flow, list the peer as up, and take
# SAs and policies away when charon ends. Peer: strongSwan's charon 5.9.8 (Debian 12,
# 5.9.8-5+deb12u6), IKEv1, XFRM in b.
case_roadwarrior() {
	local esp_a esp_b want
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
	iked_start a local 192.168.1.1 remote %any local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24 \
		auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16
	shows a "peers: none"
	swanctl b --initiate --child net > $IKE_DIR/b/initiate.txt 2>&1 ||
		{ cat $IKE_DIR/b/initiate.txt; fail "charon could not bring the tunnel up"; }
	sas_are a 2
	expect_eq "a's SAs" "$($A nfsec -j sa show |
		jq -r '[.[] | "\(.dir) \(.src) > \(.dst)"] | sort | join(", ")')" \
		"in 192.168.1.2 > 192.168.1.1, out 192.168.1.1 > 192.168.1.2"
	want="fwd 10.0.2.0/24 > 10.0.1.0/24 via 192.168.1.2 > 192.168.1.1"
	want+=", in 10.0.2.0/24 > 10.0.1.0/24 via 192.168.1.2 > 192.168.1.1"
	want+=", out 10.0.1.0/24 > 10.0.2.0/24 via 192.168.1.1 > 192.168.1.2"
	expect_eq "a's policies" "$($A nfsec -j policy show |
		jq -r '[.[] | "\(.dir) \(.src) > \(.dst) via \(.tmpl_src) > \(.tmpl_dst)"] |
		sort | join(", ")')" "$want"
	shows a "peer 192.168.1.2: up"

	capture_start
	ike_traffic
	capture_stop
	wire_counts
	esp_a=$(tcpdump -r /tmp/esp-a.pcap -n esp 2> /dev/null | wc -l)
	esp_b=$(tcpdump -r /tmp/esp-b.pcap -n esp 2> /dev/null | wc -l)
	echo "on the wire: ESP $esp_a from a, $esp_b from b; cleartext of the flow: $WIRE_LEAK"
	[ "$esp_a" -gt 10 ] || fail "a sent $esp_a ESP packets"
	[ "$esp_b" -gt 10 ] || fail "b sent $esp_b ESP packets"
	expect_eq "cleartext on the wire (${WIRE_LEAKS:0:400})" "$WIRE_LEAK" 0
	swanctl b --list-sas | grep -q INSTALLED || fail "charon shows no CHILD SA installed"

	swanctl b --terminate --ike nfsec > /dev/null || fail "charon could not terminate"
	sas_are a 0
	wait_until 10 "a's policies gone" policies_are a 0
	shows a "peers: none"
}

# policies_are NS N: the module in NS holds N policies.
policies_are() {
	[ "$(nsenter --net="/run/netns/$1" nfsec -j policy show | jq length)" -eq "$2" ]
}

# down WHY_A WHY_B: the tunnel stays down; nfsec and charon each say why; no SA.
down() {
	ike_stays_down "$1"
	shows a "$1"
	grep -q "$2" $IKE_DIR/b/charon.log || fail "charon's log does not say \"$2\""
	expect_eq "SAs in a" "$($A nfsec -j sa show | jq length)" 0
	expect_eq "SAs in b" "$($B ip xfrm state | grep -c '^src' || true)" 0
}

case_no_proposal() {
	peer "proposals = aes256-sha256-ecp256" "esp_proposals = aes128gcm16"
	iked_start a $IKE_A auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16
	down "NO-PROPOSAL-CHOSEN" "no proposal found"
}

case_wrong_psk() {
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16" other-secret
	iked_start a $IKE_A auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16
	down "pre-shared keys" "decryption failed"
}

if [ "${1:-}" = case ]; then
	trap 'st=$?; [ $st -eq 0 ] || diagnose_ike; iked_stop_all || st=1; charon_stop_all || st=1;
		flush; exit $st' EXIT
	rm -rf $IKE_DIR
	"case_$2"
	exit 0
fi

module_load
setup
failed=()
for c in ${IKE_ONLY:-main_psk_gcm main_psk_cbc_pfs aggressive_psk main_cert no_proposal wrong_psk \
	transport delete initial_contact dpd_answer dpd roadwarrior rekey rekey_bytes}; do
	run_case "${c//_/-}" bash "$0" case "$c" || failed+=("$c")
done
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
