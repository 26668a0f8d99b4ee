#!/bin/bash
# vm: stock kernel only (userspace under test; see tests/vm/run)
# IKEv1 between two nfsec-iked, each with the nfsec module: namespace a and namespace b of
# esp-lib.sh, the same matrix as 90-ike-strongswan (where the peer is strongSwan): main
# mode and aggressive mode with pre-shared keys, AES-GCM and AES-CBC/HMAC ESP, with and
# without PFS; the first ping from a brings the tunnel up and traffic passes both ways;
# a proposal mismatch and a wrong key leave both down, each saying why, with no SA.
#
#   91-ike-nfsec.sh case NAME    one case (namespaces already set up)
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
	ike_stays_down
	shows a "$1"
	shows b "$2"
	expect_eq "SAs in a" "$($A nfsec -j sa show | jq length)" 0
	expect_eq "SAs in b" "$($B nfsec -j sa show | jq length)" 0
}

P="auth psk psk sesame"

case_main_psk_gcm() {
	both $P ike aes128-sha256-modp2048 esp aes128gcm16 -- $P ike aes128-sha256-modp2048 \
		esp aes128gcm16
	up
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

case_no_proposal() {
	both $P ike aes128-sha256-modp2048 esp aes128gcm16 -- $P ike aes128-sha256-ecp256 \
		esp aes128gcm16
	down "NO-PROPOSAL-CHOSEN" "DH group"
}

case_wrong_psk() {
	both $P ike aes128-sha256-modp2048 -- auth psk psk open-sesame ike aes128-sha256-modp2048
	down "pre-shared keys" "pre-shared keys differ"
}

if [ "${1:-}" = case ]; then
	trap 'st=$?; [ $st -eq 0 ] || { tail -30 $IKE_DIR/a/iked.log $IKE_DIR/b/iked.log;
		diagnose; }; iked_stop_all; $B nfsec sa flush; $B nfsec policy flush; flush;
		exit $st' EXIT
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
