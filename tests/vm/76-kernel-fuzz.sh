#!/bin/bash
# Kernel input fuzzing: what an attacker sends and what a confused administrator asks, in
# bounded, seeded streams, for the test kernel's KASAN, lockdep and kmemleak to watch
# (scripts/vm fails the run on any report). The topology of the ESP tests (esp-lib.sh),
# nfsec in a; the programs are tests/vm/kfuzz/ (make -C tests/vm/kfuzz).
#
#   esp-stream   KFUZZ_ESP (100000) crafted ESP datagrams from b, through an AF_PACKET
#                socket, for six inbound SAs in a (esp-fuzz --sa-commands): AES-GCM,
#                ChaCha20-Poly1305, AES-CBC and NULL with HMAC-SHA256, ESN on three, IPv4
#                and IPv6 outside, tunnel (either family inside) and transport. Valid ones,
#                and ones truncated, off the block, badly padded, with random next headers
#                and lying inner headers, broken ICVs, numbers at the replay window's and
#                the ESN block's edges, duplicates; whole or in fragments. Every datagram
#                reaches nfsec once and is counted once: in_packets and the inbound drop
#                counters go up by what was sent, each by what the generator predicts.
#                The receiver in a gets every datagram it should, once and intact, and
#                none that nfsec should have dropped.
#   netlink      KFUZZ_NL (20000) random and mutated requests to the family in a: every
#                answer parses, an SA or policy change refused changed nothing, and the
#                family answers afterwards.
#
# KFUZZ_SEED picks the streams (default 1: the same each run, so that a failure repeats).
#
#   76-kernel-fuzz.sh case NAME    one case (namespaces already set up)
# vm: test kernel only (KASAN is what this is for)
# vm: cost 3
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"

KFUZZ=$PWD/build/kfuzz
KFUZZ_ESP=${KFUZZ_ESP:-100000}
KFUZZ_NL=${KFUZZ_NL:-20000}
SEED=${KFUZZ_SEED:-1}

# What nfsec counts ESP for an SA of its own under, once per datagram: the counters the
# generator predicts, and two that must not move.
PREDICTED="in_packets in_no_sa in_malformed in_replay in_auth_fail in_dummy in_selector"
ESP_COUNTERS="$PREDICTED in_expired in_error"

# counted BEFORE SENT: since BEFORE (nfsec -j stats), SENT datagrams were counted.
counted() {
	local c sum=0
	stats_delta "$1" "$($A nfsec -j stats)"
	for c in $ESP_COUNTERS; do sum=$((sum + DELTA[$c])); done
	[ $sum -ge "$2" ]
}

# json_vars PREFIX JSON: each field of a flat JSON object as the variable PREFIX_NAME, in one
# jq (a process costs most of a second on the test kernel).
json_vars() {
	eval "$(jq -r --arg p "$1" 'to_entries[] | "\($p)_\(.key)=\(.value)"' <<< "$2")"
}

case_esp_stream() {
	local before gen mac rx rx_st=0 c lo hi t0 cpus cpu=()
	"$KFUZZ/esp-fuzz" --sa-commands | $A nfsec -batch - || fail "nfsec refused the SAs"
	mac=$($A ip -j link show va | jq -r '.[0].address')
	# The receiving half of the work (IP, reassembly, nfsec) on the last CPU (RPS), the
	# generator and the receiver pinned to the first: side by side, and every frame still
	# through one backlog, in the order sent (which the exact prediction needs).
	cpus=$(nproc)
	if [ "$cpus" -gt 1 ]; then
		ip netns exec a sh -c "echo $(printf %x $((1 << (cpus - 1)))) > \
			/sys/class/net/va/queues/rx-0/rps_cpus"
		cpu=(--cpu 0)
	fi
	$A "$KFUZZ/esp-fuzz" --receive "${cpu[@]}" > /tmp/kfuzz-rx.json &
	rx=$!
	wait_until 120 "the receiver in a" listening a udp 7999
	before=$($A nfsec -j stats)
	t0=$SECONDS
	gen=$($B "$KFUZZ/esp-fuzz" --dev vb --dst-mac "$mac" --seed "$SEED" \
		--count "$KFUZZ_ESP" "${cpu[@]}") || fail "esp-fuzz could not send its stream"
	echo "esp-fuzz, $((SECONDS - t0)) s: $gen"
	json_vars G "$gen"
	wait_until 60 "nfsec counting all $G_sent datagrams" counted "$before" "$G_sent"
	kill -TERM $rx
	wait $rx || rx_st=$?
	echo "receiver: $(cat /tmp/kfuzz-rx.json)"
	json_vars R "$(cat /tmp/kfuzz-rx.json)"

	stats_delta "$before" "$($A nfsec -j stats)"
	local sum=0 got=""
	for c in $ESP_COUNTERS; do
		sum=$((sum + DELTA[$c]))
		got+=" $c ${DELTA[$c]}"
	done
	echo "nfsec:$got"
	expect_eq "datagrams nfsec counted (in_packets and inbound drops)" "$sum" "$G_sent"
	expect_eq "in_expired" "${DELTA[in_expired]}" 0
	expect_eq "in_error" "${DELTA[in_error]}" 0
	# Within what the replay window's order allows; exact when the order was the one sent.
	for c in $PREDICTED; do
		lo=G_${c}_min hi=G_${c}_max
		[ "${DELTA[$c]}" -ge "${!lo}" ] && [ "${DELTA[$c]}" -le "${!hi}" ] ||
			fail "$c: ${DELTA[$c]}, not within ${!lo}..${!hi}"
		lo=G_$c
		[ "$G_exact" != true ] || expect_eq "$c" "${DELTA[$c]}" "${!lo}"
	done
	expect_eq "receiver's exit status (1: a datagram it should not have had)" "$rx_st" 0
	expect_eq "datagrams delivered whole, once" "$R_valid" "$G_deliver"
}

case_netlink() {
	local out t0=$SECONDS
	out=$($A "$KFUZZ/nl-fuzz" --seed "$SEED" --count "$KFUZZ_NL") ||
		fail "nl-fuzz: $out"
	echo "nl-fuzz, $((SECONDS - t0)) s: $out"
}

if [ "${1:-}" = case ]; then
	# The receiver left running would hold the runner's pipe open.
	trap 'st=$?; [ $st -eq 0 ] || diagnose; kill $(jobs -p) 2> /dev/null || true; cleanup
		exit $st' EXIT
	"case_$2"
	exit 0
fi

[ -x "$KFUZZ/esp-fuzz" ] && [ -x "$KFUZZ/nl-fuzz" ] ||
	fail "no $KFUZZ/esp-fuzz or nl-fuzz: make -C tests/vm/kfuzz"
module_load
setup
failed=()
for c in esp_stream netlink; do
	run_case "${c//_/-}" bash "$0" case "$c" || failed+=("$c")
done
flush
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
