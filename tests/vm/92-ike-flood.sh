#!/bin/bash
# vm: stock kernel only (userspace under test, as the other IKE tests)
# nfsec-iked under a flood of spoofed first messages (issue 12); the real peer is
# nfsec-iked in b (91-ike-nfsec's setup), the flood comes from namespace c. Besides its
# tunnel t to b, a answers anyone on two "remote %any" tunnels: rw (main mode, on
# 192.168.1.1, the address b talks to, so the flood shares b's socket) and rwa
# (aggressive mode, on 172.16.0.1). ike-flood.py sends from 16 384 addresses of
# 10.200.0.0/16 with random cookies, half main mode, half aggressive mode (SA, KE, nonce,
# ID: a Diffie-Hellman each for the responder).
#
# flood: 20 000 first messages that offer what rw and rwa take, 1 000 a second, which
#   a's daemon reads as they come once its half-open table is full (while it fills,
#   128 DHs, its socket buffer overflows: some 1 300 are lost there). Unpaced, the 20 000
#   go in 3 s and the kernel drops 98 % before the daemon sees them: the caps would meet
#   a few hundred, and the flood would be over before t is. Once the 256 are there, b
#   initiates t on a ping from b: the cap in all is the %any tunnels' (a named peer's
#   message 1 counts against the cap per address only), so a answers b at once, and t
#   must be up, traffic passing both ways, before the flood's last datagram; a's log
#   gives the times. Then:
#   - nfsec-iked in a still runs, and its peak RSS (VmHWM) grew by no more than the caps
#     allow over the baseline taken once t had been up (OpenSSL and the kernel's crypto
#     in use): half-open-max (256) responder SAs of 73 488 bytes (struct ike_sa keeps our
#     last message whole, 64 KiB) with their phase-1 record and DH key, 80 KiB counted
#     for each, and 4 MiB for the allocator: 24 MiB. 20 000 SAs would need 1.4 GiB;
#   - "nfsec tunnel show" counts the 256 half-open SAs (rw and rwa together) and the
#     messages dropped over the caps;
#   - a is no reflector: the spoofed sources got at most one answer per half-open SA
#     (256 for each 30 s an SA is kept), and none again once the first retransmission
#     would have been due.
# mismatch: 2 000 first messages whose exchange the tunnel at their address does not do
#   (aggressive mode to rw, main mode to rwa), each refused with a notify
#   (INVALID-EXCHANGE-TYPE) to a source nothing proves: a answers no more of them than the
#   half-open cap (a refusal holds a slot for 30 s as a half-open SA does), counts the
#   refusals in "nfsec tunnel show", logs a line per tunnel and DAEMON_DROP_LOG_MS rather
#   than one each, and keeps no spoofed reason as its tunnels' "down:" line.
#
#   a: va 192.168.1.1, vac 172.16.0.1, route 10.200.0.0/16 via c
#   b: vb 192.168.1.2 (esp-lib.sh; inner networks 10.0.1.0/24 in a, 10.0.2.0/24 in b)
#   c: vc 172.16.0.2, sends from 10.200.0.0/16 through a raw socket
#
#        c ---- vc | vac ---- a ---- va | vb ---- b
#
#   92-ike-flood.sh case NAME    one case (namespaces already set up)
# vm: cost 2
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"
. "$(dirname "$0")/ike-lib.sh"

C="nsenter --net=/run/netns/c"
FLOOD_NET=10.200.0.0/16
RATE=1000			# flood datagrams a second (see the header)
HALF_OPEN_MAX=256		# nfsec-iked's default half-open-max
HALF_OPEN_MS=30000		# DAEMON_HALF_OPEN_MS: a half-open SA is forgotten after this
RETRANSMIT_MS=2000		# DAEMON_RETRANSMIT_MS: a first retransmission would come then
PER_SA_KIB=80
SLACK_KIB=4096
W="auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16"
SENDER=

# status_kib FIELD: FIELD (VmRSS, VmHWM) of nfsec-iked in a, in kB.
status_kib() {
	awk -v f="$1:" '$1 == f { print $2 }' "/proc/${IKED_OF[a]}/status"
}

# counter NAME: packets of a's nft counter NAME.
counter() {
	$A nft -j list counter inet flood "$1" | jq '.nftables[1].counter.packets'
}

# half_open: the half-open SAs a holds, all tunnels together; refused: the message 1s
# dropped over the caps.
half_open() { tunnel a -j tunnel show | jq '[.[].half_open] | add'; }
refused() { tunnel a -j tunnel show | jq '[.[].drops.half_open_refused] | add'; }
half_open_full() { [ "$(half_open)" -ge $HALF_OPEN_MAX ]; }

# rcvbuf_errors: datagrams a's full UDP socket buffers dropped since a_start.
udp_rcvbuf_errors() { $A awk '/^Udp:/ { getline; print $6; exit }' /proc/net/snmp; }
rcvbuf_errors() { echo $(($(udp_rcvbuf_errors) - RCVBUF_BASE)); }

# ike_drained: nothing waits in a's IKE sockets.
ike_drained() { $A ss -H -uln 'sport = :500' | awk '$2 != 0 { n++ } END { exit n > 0 }'; }

# log_ms first|last PATTERN: the time of the first or last line of a's log with PATTERN,
# in ms since the epoch.
log_ms() {
	local line
	if [ "$1" = first ]; then
		line=$(grep -m 1 -- "$2" $IKE_DIR/a/iked.log)
	else
		line=$(grep -- "$2" $IKE_DIR/a/iked.log | tail -n 1)
	fi
	[ -n "$line" ] || fail "no \"$2\" in a's log"
	date -d "$(echo "$line" | cut -d' ' -f1-2)" +%s%3N
}

# flood_start ARGS...: ike-flood.py in c, in the background (SENDER), until it sends.
flood_start() {
	$C python3 tests/vm/ike-flood.py --sources $FLOOD_NET --rate $RATE \
		--ready $IKE_DIR/flood.ready "$@" > $IKE_DIR/flood.out 2>&1 &
	SENDER=$!
	wait_until 120 "the flood sender's datagrams" test -e $IKE_DIR/flood.ready
}

flood_wait() {
	wait $SENDER || fail "the flood sender failed: $(cat $IKE_DIR/flood.out)"
	SENDER=
	cat $IKE_DIR/flood.out
}

# a_start: nfsec-iked in a with t, rw and rwa; nft counts what comes from and goes to
# the flood's addresses.
a_start() {
	RCVBUF_BASE=$(udp_rcvbuf_errors)
	$A nft -f - <<-EOF
	table inet flood {
		counter in_flood { }
		counter out_flood { }
		chain in {
			type filter hook input priority 0;
			ip saddr $FLOOD_NET udp dport 500 counter name in_flood
		}
		chain out {
			type filter hook output priority 0;
			ip daddr $FLOOD_NET counter name out_flood
		}
	}
	EOF
	iked_start a $IKE_A $W
	tunnel a tunnel add rw local 192.168.1.1 remote %any local-ts 10.0.1.0/24 \
		remote-ts 10.8.0.0/16 $W
	tunnel a tunnel add rwa local 172.16.0.1 remote %any local-ts 10.0.1.0/24 \
		remote-ts 10.9.0.0/16 $W mode aggressive
}

case_flood() {
	local base_rss base_hwm hwm rss bound full_ms start_ms up_ms first_ms last_ms
	local ho ref answered reflect_max out_then wait_ms
	iked_start b $IKE_B $W
	a_start
	# the baseline: t up once and down again
	ike_up
	shows a ESTABLISHED
	tunnel a tunnel down t
	sas_are a 0
	sas_are b 0
	base_rss=$(status_kib VmRSS)
	base_hwm=$(status_kib VmHWM)
	echo "baseline: VmRSS $base_rss kB, VmHWM $base_hwm kB"

	flood_start --main 192.168.1.1 --aggressive 172.16.0.1 --count 20000
	wait_until 60 "$HALF_OPEN_MAX half-open phase 1s in a" half_open_full
	ike_up b 10.0.2.1 10.0.1.1
	ho=$(half_open)
	flood_wait
	full_ms=$(log_ms first "half-open phase 1s ($HALF_OPEN_MAX) reached")
	start_ms=$(log_ms last ": t: phase 1 from the peer")
	up_ms=$(log_ms last ": t: phase 2 SA up")
	first_ms=$(sed -n 's/^first_ms //p' $IKE_DIR/flood.out)
	last_ms=$(sed -n 's/^last_ms //p' $IKE_DIR/flood.out)
	echo "flood 0 to $((last_ms - first_ms)) ms: caps full at $((full_ms - first_ms))," \
		"t started at $((start_ms - first_ms)), up at $((up_ms - first_ms))"
	[ "$full_ms" -le "$start_ms" ] || fail "t started before the caps were full"
	[ "$up_ms" -lt "$last_ms" ] || fail "the flood was over before t came up"
	expect_eq "half-open phase 1s when t came up" "$ho" $HALF_OPEN_MAX
	expect_eq "phase 1s a established with b" \
		"$(grep -c ": t: phase 1 established" $IKE_DIR/a/iked.log)" 2
	out_then=$(counter out_flood)
	ike_traffic
	shows a ESTABLISHED
	shows b ESTABLISHED

	kill -0 "${IKED_OF[a]}" || fail "nfsec-iked in a is gone"
	hwm=$(status_kib VmHWM)
	rss=$(status_kib VmRSS)
	bound=$((base_hwm + HALF_OPEN_MAX * PER_SA_KIB + SLACK_KIB))
	echo "nfsec-iked in a: VmHWM $base_hwm -> $hwm kB (+$((hwm - base_hwm)) kB)," \
		"VmRSS $base_rss -> $rss kB; bound $bound kB"
	[ "$hwm" -le $bound ] || fail "nfsec-iked's peak RSS $hwm kB is over $bound kB"

	shows a "over the half-open caps"
	ref=$(refused)
	answered=$(counter out_flood)
	echo "20000 sent, $(counter in_flood) reached a, $(rcvbuf_errors) dropped by a's" \
		"full socket buffer, $ref refused over the caps; $answered datagrams from a" \
		"to the spoofed sources"
	[ "$ref" -gt 0 ] || fail "no message 1 counted over the half-open caps"
	# one answer per half-open SA: at most the cap for each 30 s of flood
	reflect_max=$((HALF_OPEN_MAX * (1 + (last_ms - first_ms) / HALF_OPEN_MS)))
	[ "$answered" -le $reflect_max ] ||
		fail "a sent $answered datagrams to spoofed sources, more than $reflect_max"
	# and none again: the first retransmission would come RETRANSMIT_MS after the last
	wait_ms=$((RETRANSMIT_MS + 500 - ($(date +%s%3N) - last_ms)))
	[ $wait_ms -le 0 ] || sleep "$((wait_ms / 1000)).$(printf %03d $((wait_ms % 1000)))"
	expect_eq "datagrams to the spoofed sources since the flood" "$(counter out_flood)" \
		"$out_then"
}

case_mismatch() {
	local answered lines
	a_start
	flood_start --main 172.16.0.1 --aggressive 192.168.1.1 --count 2000
	flood_wait
	wait_until 60 "a's IKE socket drained" ike_drained
	tunnel a tunnel show
	answered=$(counter out_flood)
	lines=$(grep -c "phase 1 from the peer refused" $IKE_DIR/a/iked.log || true)
	echo "2000 sent, $(counter in_flood) reached a, $(rcvbuf_errors) dropped by a's full" \
		"socket buffer; $answered datagrams from a to the spoofed sources, $lines log lines"
	[ "$answered" -le $HALF_OPEN_MAX ] ||
		fail "a answered $answered spoofed first messages, over the half-open cap"
	expect_eq "refusals counted" \
		"$(tunnel a -j tunnel show | jq '[.[].drops.refused] | add')" "$answered"
	# rw and rwa, a line each at first, and at most one more each per 10 s of flood
	[ "$lines" -ge 2 ] && [ "$lines" -le 4 ] || fail "$lines log lines for the refusals"
	expect_eq "down reasons written by spoofed sources" \
		"$(tunnel a -j tunnel show | jq '[.[] | select(.down_reason != null)] | length')" 0
}

if [ "${1:-}" = case ]; then
	trap 'st=$?; set +e; trap - ERR
		[ $st -eq 0 ] || { grep -hv "phase 1 NEW\|from the peer" $IKE_DIR/?/iked.log |
			tail -n 40; cat $IKE_DIR/flood.out; }
		[ -z "$SENDER" ] || kill $SENDER 2> /dev/null
		iked_stop_all || st=1; $A nft delete table inet flood; flush_all; exit $st' EXIT
	flush_all() {
		local ns
		for ns in a b; do
			nsenter --net=/run/netns/$ns nfsec sa flush
			nsenter --net=/run/netns/$ns nfsec policy flush
		done
	}
	rm -rf $IKE_DIR
	mkdir -p $IKE_DIR
	"case_$2"
	exit 0
fi

module_load
setup
behind_a 172.16.0.2 172.16.0.1 24
$A ip route add $FLOOD_NET via 172.16.0.2
failed=()
for c in ${IKE_ONLY:-flood mismatch}; do
	run_case "$c" bash "$0" case "$c" || failed+=("$c")
done
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
