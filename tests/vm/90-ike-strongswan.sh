#!/bin/bash
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
# each saying why.
#
#   90-ike-strongswan.sh case NAME    one case (namespaces already set up)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"
. "$(dirname "$0")/ike-lib.sh"

IKED_PID=
iked_stop() {
	[ -n "$IKED_PID" ] || return 0
	kill "$IKED_PID" 2> /dev/null || true
	wait "$IKED_PID" 2> /dev/null || true
	IKED_PID=
}

# iked_start WORDS...: nfsec-iked in a with one tunnel "t" of these words (after the
# endpoints and selectors of esp-lib.sh's tunnel mode).
iked_start() {
	mkdir -p $IKE_DIR/a
	echo "tunnel t local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.1.0/24" \
		"remote-ts 10.0.2.0/24 $*" > $IKE_DIR/a/iked.conf
	$A nfsec-iked -f -d -c $IKE_DIR/a/iked.conf -S $IKE_DIR/a/iked.sock \
		> $IKE_DIR/a/iked.log 2>&1 &
	IKED_PID=$!
	for _ in $(seq 1 50); do
		[ -S $IKE_DIR/a/iked.sock ] && return 0
		kill -0 $IKED_PID 2> /dev/null || break
		sleep 0.1
	done
	cat $IKE_DIR/a/iked.log
	fail "nfsec-iked did not start"
}

tunnel() { NFSEC_IKED_SOCKET=$IKE_DIR/a/iked.sock $A nfsec "$@"; }

# peer CONN_WORDS CHILD_WORDS [PSK]: charon in b, with connection "nfsec" to a.
peer() {
	swanctl_conf b 192.168.1.2 192.168.1.1 10.0.2.0/24 10.0.1.0/24 "$1" "$2" "${3:-sesame}"
	charon_start b b
	swanctl_load b
}

diagnose_ike() {
	set +e
	echo "--- nfsec-iked:"; tail -40 $IKE_DIR/a/iked.log
	echo "--- nfsec tunnel show:"; tunnel tunnel show
	echo "--- charon:"
	grep -E "\[(IKE|ENC|NET|KNL)\]" $IKE_DIR/b/charon.log | grep -v "^ *[0-9]*\[...\]  " |
		tail -40
	swanctl b --list-sas
	diagnose
}

# up: the first ping starts it all; then traffic both ways and charon's view.
up() {
	local ok=0
	for _ in $(seq 1 20); do
		$A ping -c 1 -W 1 -I 10.0.1.1 10.0.2.1 > /dev/null 2>&1 && { ok=1; break; }
	done
	[ $ok = 1 ] || fail "the tunnel did not come up"
	$A ping -c 3 -i 0.2 -W 2 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b"
	$B ping -c 3 -i 0.2 -W 2 -I 10.0.2.1 10.0.1.1 > /dev/null || fail "ping b -> a"
	tcp_check a 10.0.1.1 b 10.0.2.1
	tcp_check b 10.0.2.1 a 10.0.1.1
	swanctl b --list-sas > $IKE_DIR/b/sas.txt
	cat $IKE_DIR/b/sas.txt
	grep -q "ESTABLISHED" $IKE_DIR/b/sas.txt || fail "charon shows no IKE SA up"
	grep -q "INSTALLED" $IKE_DIR/b/sas.txt || fail "charon shows no CHILD SA installed"
	tunnel tunnel show | tee $IKE_DIR/a/show.txt
	grep -q "ESTABLISHED" $IKE_DIR/a/show.txt || fail "nfsec tunnel show: not established"
	# Only ESP on the wire between the inner networks: XFRM in b counted ours.
	[ "$($A nfsec -j stats | jq .in_packets)" -gt 10 ] || fail "nfsec decrypted nothing"
}

case_main_psk_gcm() {
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
	iked_start auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16
	up
}

case_main_psk_cbc_pfs() {
	peer "proposals = aes256-sha512-ecp384" "esp_proposals = aes256-sha256-modp2048"
	iked_start auth psk psk sesame ike aes256-sha512-ecp384 esp aes256-sha256 pfs modp2048
	up
}

case_aggressive_psk() {
	peer "aggressive = yes
			proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
	iked_start auth psk psk sesame mode aggressive ike aes128-sha256-modp2048 \
		esp aes128gcm16
	up
	grep -q "offline" $IKE_DIR/a/iked.log || fail "no warning about aggressive mode with a PSK"
}

# down WHY_A WHY_B: the tunnel stays down; nfsec and charon each say why; no SA.
down() {
	$A ping -c 3 -i 0.5 -W 1 -I 10.0.1.1 10.0.2.1 > /dev/null 2>&1 || true
	sleep 3
	if $A ping -c 1 -W 1 -I 10.0.1.1 10.0.2.1 > /dev/null 2>&1; then
		fail "the tunnel came up"
	fi
	tunnel tunnel show | tee $IKE_DIR/a/show.txt
	grep -q "$1" $IKE_DIR/a/show.txt || fail "nfsec tunnel show does not say \"$1\""
	grep -q "$2" $IKE_DIR/b/charon.log || fail "charon's log does not say \"$2\""
	expect_eq "SAs in a" "$($A nfsec -j sa show | jq length)" 0
	expect_eq "SAs in b" "$($B ip xfrm state | grep -c '^src' || true)" 0
}

case_no_proposal() {
	peer "proposals = aes256-sha256-ecp256" "esp_proposals = aes128gcm16"
	iked_start auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16
	down "NO-PROPOSAL-CHOSEN" "no proposal found"
}

case_wrong_psk() {
	peer "proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16" other-secret
	iked_start auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16
	down "pre-shared keys" "decryption failed"
}

if [ "${1:-}" = case ]; then
	trap 'st=$?; [ $st -eq 0 ] || diagnose_ike; iked_stop; charon_stop_all;
		flush; exit $st' EXIT
	rm -rf $IKE_DIR
	"case_$2"
	exit 0
fi

module_load
setup
failed=()
for c in ${IKE_ONLY:-main_psk_gcm main_psk_cbc_pfs aggressive_psk no_proposal wrong_psk}; do
	run_case "${c//_/-}" bash "$0" case "$c" || failed+=("$c")
done
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
