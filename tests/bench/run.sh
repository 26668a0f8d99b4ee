#!/bin/bash
# The benchmark, in the guest (stock kernel): namespace a sends to namespace b over a veth
# pair, through tunnels (10.0.1.0/24 <-> 10.0.2.0/24, tunnel mode, IPv4) of the same
# algorithm and keys made by each stack, side by side in this one run:
#
#   data path   each pairing of sender and receiver stack: nfsec->nfsec and XFRM->XFRM
#               (both ends the same), nfsec->XFRM and XFRM->nfsec (so that sending and
#               receiving costs separate), and clear; TCP with 1 and 4 flows, UDP with
#               64- and 1400-byte payloads (packets/s delivered); AES-GCM-128, and for one
#               TCP flow ChaCha20-Poly1305 and AES-CBC/HMAC-SHA256 too; ESP in UDP
#               (RFC 3948) nfsec->nfsec and XFRM->XFRM, one TCP flow and 64-byte UDP;
#               nfsec->nfsec and XFRM->nfsec again with parallel=1 (module parameter)
#   ceiling     AES-128-GCM in the same guest on all CPUs (openssl speed, 1400 bytes):
#               each encrypted TCP figure as a fraction of it
#   IKE         tunnels per second, each its own phase 1 and phase 2 (PSK, modp2048 and
#               ecp256), nfsec-iked against charon
#   policies    the 64-byte UDP rate from h, a host behind a (a forwards, as a gateway),
#               with 1, 1 000 and 100 000 outbound policies on a, as exact /32 pairs and as
#               inexact mixes (prefix lengths 8 to 32 within the sites' 10.0.0.0/8, ports,
#               both families, priorities around the tunnel's), nfsec against XFRM
#               with the same sets; the time to install them (nfsec -batch against ip
#               -batch) and to install 10 000 SAs; slab memory per policy and per SA
#
# Each figure is the median of BENCH_RUNS (3) runs of BENCH_SECONDS (5) s, with the lowest
# and highest. BENCH_QUICK=1, a check that every part runs (about 5 minutes): one run of
# 2 s a figure, 1 000 policies at most, 1 000 SAs and 10 tunnels.
# BENCH_ONLY=PART: that part alone, one of data (the data path, other algorithms, ESP in
# UDP, the ceiling), policies (the UDP rate against the number of policies, and their
# install), control (the installs and memory alone, no rates) and ike (its daemons' logs
# kept in $NFSEC_OUT/ike-logs/). Writes Markdown to $NFSEC_OUT/bench.md. Numbers from a
# QEMU guest without KVM are slow in absolute terms;
# the ratios between stacks measured side by side are what this is for.
. "$(dirname "$0")/../vm/lib.sh"
. "$(dirname "$0")/../vm/esp-lib.sh"
. "$(dirname "$0")/../vm/ike-lib.sh"

QUICK=${BENCH_QUICK:-0}
ONLY=${BENCH_ONLY:-}
case "$ONLY" in
'' | data | policies | control | ike) ;;
*) fail "BENCH_ONLY=$ONLY: one of data, policies, control, ike" ;;
esac
part() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }  # part NAME: does this run measure NAME?
SECS=${BENCH_SECONDS:-5}
RUNS=${BENCH_RUNS:-3}
POLICY_MAX=100000
# XFRM inserts an inexact policy after a walk of those before it: 9 999 took 25 s in the
# guest, 19 999 133 s and 39 999 542 s, so 99 999 would take about an hour. Its inexact
# sets stop here; its rate with more can only be lower (its lookup walks them too).
# BENCH_XFRM_INEXACT_MAX=100000 takes the hour (scripts/bench gives the guest longer).
XFRM_INEXACT_MAX=${BENCH_XFRM_INEXACT_MAX:-10000}
SA_COUNT=10000
IKE_N=100
# s: a stack not all up by then is measured at what it brought up (charon with its cap
# of half-open IKE_SAs: the same 95 of 100 modp2048 tunnels in 120 s as in 300, the
# last 5 never)
IKE_WAIT=120
if [ "$QUICK" = 1 ]; then
	SECS=${BENCH_SECONDS:-2} RUNS=${BENCH_RUNS:-1} POLICY_MAX=1000 SA_COUNT=1000 IKE_N=10
	IKE_WAIT=60
fi
OUT=${NFSEC_OUT:-/tmp}/bench.md

# --- tunnels ------------------------------------------------------------------------------

# side NS STACK: NS's half of the tunnel in STACK (nfsec | xfrm), with $NF / $XF (esp-lib's
# alg_words) as the transform: SPI 0x1001 a->b, 0x2001 b->a. ENCAP=1: ESP in UDP, port
# 4500 both ways (encap_sockets first). Each side's fwd policy, like its in one, lets the
# tunnel's traffic through to a host behind it (h, the policies part).
side() {
	local ns=$1 stack=$2 me peer net peernet out_spi in_spi nf_encap= xf_encap=
	if [ "${ENCAP:-0}" = 1 ]; then
		nf_encap="encap udp sport 4500 dport 4500"
		xf_encap="encap espinudp 4500 4500 0.0.0.0"
	fi
	if [ "$ns" = a ]; then
		me=192.168.1.1 peer=192.168.1.2 net=10.0.1.0/24 peernet=10.0.2.0/24
		out_spi=0x1001 in_spi=0x2001
	else
		me=192.168.1.2 peer=192.168.1.1 net=10.0.2.0/24 peernet=10.0.1.0/24
		out_spi=0x2001 in_spi=0x1001
	fi
	if [ "$stack" = nfsec ]; then
		nsenter --net="/run/netns/$ns" nfsec -batch - <<-EOF
		sa add spi $out_spi dir out src $me dst $peer mode tunnel reqid 1 $NF $nf_encap
		sa add spi $in_spi dir in src $peer dst $me mode tunnel reqid 1 $NF $nf_encap
		policy add dir out priority 100 src $net dst $peernet mode tunnel tmpl-src $me tmpl-dst $peer reqid 1
		policy add dir in priority 100 src $peernet dst $net mode tunnel tmpl-src $peer tmpl-dst $me reqid 1
		policy add dir fwd priority 100 src $peernet dst $net mode tunnel tmpl-src $peer tmpl-dst $me reqid 1
		EOF
	else
		ip -n "$ns" -batch - <<-EOF
		xfrm state add src $me dst $peer proto esp spi $out_spi reqid 1 mode tunnel $XF $xf_encap
		xfrm state add src $peer dst $me proto esp spi $in_spi reqid 1 mode tunnel $XF $xf_encap
		xfrm policy add src $net dst $peernet dir out priority 100 tmpl src $me dst $peer proto esp reqid 1 mode tunnel
		xfrm policy add src $peernet dst $net dir in priority 100 tmpl src $peer dst $me proto esp reqid 1 mode tunnel
		xfrm policy add src $peernet dst $net dir fwd priority 100 tmpl src $peer dst $me proto esp reqid 1 mode tunnel
		EOF
	fi
}

# encap_sockets STACK: the UDP 4500 socket of a and of b that ESP in UDP arrives on:
# nfsec-iked's without a tunnel (the module takes ESP from it) for nfsec, one with
# UDP_ENCAP for XFRM; the other stack's go first (both want the port). "none": just that.
ENCAP_PIDS=()
encap_sockets() {
	local ns
	if [ ${#ENCAP_PIDS[@]} -gt 0 ]; then
		kill "${ENCAP_PIDS[@]}"
		wait "${ENCAP_PIDS[@]}" 2> /dev/null || true
	fi
	ENCAP_PIDS=()
	[ "$1" != none ] || return 0
	for ns in a b; do
		if [ "$1" = nfsec ]; then
			# its control socket's directory must be root's alone, as /tmp is not
			mkdir -p -m 0755 /tmp/bench-iked
			: > /tmp/bench-iked/$ns.conf
			nsenter --net="/run/netns/$ns" nfsec-iked -f -c /tmp/bench-iked/$ns.conf \
				-S /tmp/bench-iked/$ns.sock > /tmp/bench-iked/$ns.log 2>&1 &
		else
			nsenter --net="/run/netns/$ns" python3 "$(dirname "$0")/../vm/esp-udp.py" \
				encap-socket 4500 > /dev/null &
		fi
		ENCAP_PIDS+=($!)
		wait_until 60 "UDP 4500 in $ns" listening "$ns" udp 4500
	done
}

flush_all() {
	local ns
	for ns in a b; do
		nsenter --net="/run/netns/$ns" nfsec -batch - <<< $'sa flush\npolicy flush'
		ip -n "$ns" xfrm state flush
		ip -n "$ns" xfrm policy flush
	done
}

# Where udp_rate sends from: a itself, or h behind it (host_h).
SEND=$A SRC=10.0.1.1
H="nsenter --net=/run/netns/h"

# host_h: namespace h, a host behind a (esp-lib's host_behind, on 192.168.3.0/24) with
# the address 10.0.1.2 in a's inner network, which a forwards for, as a security gateway
# does for its site. A socket of a's own keeps XFRM's bundle in its route, so XFRM looks
# a's outbound policies up once a connection; a forwarded packet is looked up on its own,
# by either stack.
host_h() {
	host_behind a h 192.168.3.2 192.168.3.1 24 "" 10.0.1.2/32
	$A ip route add 10.0.1.2/32 via 192.168.3.2
	$A sysctl -qw net.ipv4.ip_forward=1
}

# path SENDER RECEIVER [ALG]: a on SENDER's stack, b on RECEIVER's (clear: no tunnel).
path() {
	flush_all
	if [ "$1" = clear ]; then return 0; fi
	alg_words "${3:-gcm128}"
	side a "$1"
	side b "$2"
	$SEND ping -c 1 -W 5 -I $SRC 10.0.2.1 > /dev/null || fail "no ping over $1 -> $2 from $SRC"
}

# --- measurements -------------------------------------------------------------------------

# summary VALUE...: "median min max" of the values.
summary() {
	printf '%s\n' "$@" | sort -n | awk '{ x[NR] = $1 } END { print x[int((NR + 1) / 2)], x[1], x[NR] }'
}

# median_of CMD...: CMD RUNS times; "median min max" of what it printed.
median_of() {
	local i v=()
	for i in $(seq 1 "$RUNS"); do v+=("$("$@")"); done
	summary "${v[@]}"
}

tcp_rate() {  # FLOWS: Mbit/s received in b
	$A iperf3 -c 10.0.2.1 -B 10.0.1.1 -P "$1" -t "$SECS" -J |
		jq '.end.sum_received.bits_per_second / 1e6 | floor'
}

udp_rate() {  # SIZE: packets/s of SIZE-byte payloads from $SRC received in b
	$SEND iperf3 -c 10.0.2.1 -B $SRC -u -l "$1" -b 0 -t "$SECS" -J |
		jq '(.end.sum.packets - .end.sum.lost_packets) / .end.sum.seconds | floor'
}

# latency: "p50 p99" of ping's RTT a -> b in ms while one TCP flow a -> b runs.
latency() {
	local ip
	$A iperf3 -c 10.0.2.1 -B 10.0.1.1 -t $((SECS + 2)) > /dev/null &
	ip=$!
	sleep 1
	$A ping -c $((SECS * 20)) -i 0.05 -I 10.0.1.1 10.0.2.1 |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n |
		awk '{ x[NR] = $1 } END { print x[int(NR * 0.5 + 0.5)], x[int(NR * 0.99 + 0.5)] }'
	wait $ip || true
}

# fig "median min max": "median (min-max)"
fig() { set -- $1; if [ "$2" = "$3" ]; then echo "$1"; else echo "$1 ($2-$3)"; fi; }
med() { set -- $1; echo "$1"; }
lat() { set -- $1; echo "$1 / $2"; }
ratio() {  # A B: A / B, or "-" unless both are numbers and B is not 0
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "-" }'
}

# AES-128-GCM on every CPU of the guest, 1400-byte blocks: Mbit/s.
ceiling() {
	openssl speed -evp aes-128-gcm -bytes 1400 -seconds 2 -multi "$(nproc)" 2> /dev/null |
		awk 'toupper($1) == "AES-128-GCM" { v = $NF } END { sub(/k$/, "", v); printf "%d\n", v * 8 / 1000 }'
}

# --- policies -----------------------------------------------------------------------------

# policy_set KIND N STACK: N outbound policies that the tunnel's traffic never matches, as
# STACK's batch lines; KIND exact (/32 pairs) or inexact (IPv4 prefixes 8 to 32 within
# 10.0.0.0/8, the sites' network the tunnel's two are in, a protocol and port on a third
# and on each that holds the tunnel's traffic (to other ports than iperf3's 5201); IPv6
# on a quarter; priorities 1 to 1000 around the tunnel's 100; never two alike). An ACL
# over one network's sites, as a gateway's is: XFRM files every IPv4 one under a /8 and
# walks them in order for each lookup.
policy_set() {
	awk -v kind="$1" -v n="$2" -v stack="$3" '
	function ip(a, b, c, d) { return ((a * 256 + b) * 256 + c) * 256 + d }
	# v4 X Y: a random prefix of length 8..32 in 10.0.0.0/8, its host bits clear; sets
	# holds: whether it holds address X or Y (integers)
	function v4(x, y,   len, a, m) {
		len = 8 + int(rand() * 25)
		m = 2 ^ (32 - len)
		a = int((ip(10, 0, 0, 0) + int(rand() * 16777216)) / m) * m
		holds = int(x / m) * m == a || int(y / m) * m == a
		return sprintf("%d.%d.%d.%d/%d", int(a / 16777216), int(a / 65536) % 256,
			       int(a / 256) % 256, a % 256, len)
	}
	function port(   p) { p = 1024 + int(rand() * 60000); return p == 5201 ? 5202 : p }
	BEGIN {
		srand(7)
		for (i = 0; i < n; i++) {
			extra = ""
			if (kind == "exact") {
				src = sprintf("172.%d.%d.%d/32", 16 + int(i / 65536), int(i / 256) % 256, i % 256)
				dst = "172.31.0.1/32"; prio = 10
			} else {
				prio = 1 + int(rand() * 1000)
				both = 0
				if (i % 4 == 3) {
					# the index in the first 48 bits: no two alike
					src = sprintf("fd00:%x:%x::/%d", int(i / 65536), i % 65536, 48 + int(rand() * 81))
					dst = sprintf("fd99:%x::/%d", int(rand() * 65536), 16 + int(rand() * 113))
				} else {
					# the sources a and h, the destination b
					src = v4(ip(10, 0, 1, 1), ip(10, 0, 1, 2)); both = holds
					dst = v4(ip(10, 0, 2, 1), ip(10, 0, 2, 1)); both = both && holds
				}
				if (i % 3 == 0 || both)
					extra = sprintf(" proto %s dport %d", rand() < 0.5 ? "tcp" : "udp", port())
				# XFRM takes one policy per selector, whatever the priority
				key = src " " dst extra
				if (key in seen) { i--; continue }
				seen[key] = 1
			}
			if (stack == "nfsec")
				printf "policy add dir out action bypass priority %d src %s dst %s%s\n", prio, src, dst, extra
			else
				printf "xfrm policy add src %s dst %s%s dir out priority %d action allow\n", src, dst, extra, prio
		}
	}'
}

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
now_ms() { date +%s%3N; }

# install STACK FILE: the batch into a; sets MS (wall ms) and KB (slab growth).
install() {
	local before t0
	sync
	before=$(slab_kb)
	t0=$(now_ms)
	if [ "$1" = nfsec ]; then $A nfsec -batch "$2"; else $A ip -batch "$2"; fi
	MS=$(($(now_ms) - t0))
	KB=$(($(slab_kb) - before))
}

# sa_set STACK N: N outbound SAs to 192.168.1.2 with SPIs from 0x10000.
sa_set() {
	local k=0x00112233445566778899aabbccddeeff01020304
	awk -v n="$2" -v stack="$1" -v k="$k" 'BEGIN {
		for (i = 0; i < n; i++)
			if (stack == "nfsec")
				printf "sa add spi %d dir out src 192.168.1.1 dst 192.168.1.2 mode tunnel reqid 9 aead gcm-aes %s 128\n", 65536 + i, k
			else
				printf "xfrm state add src 192.168.1.1 dst 192.168.1.2 proto esp spi %d reqid 9 mode tunnel aead rfc4106(gcm(aes)) %s 128\n", 65536 + i, k
	}'
}

# --- IKE: tunnels per second ---------------------------------------------------------------

# Tunnel i (0..IKE_N-1): a's 192.168.1.1 to b's 192.168.1.(10+i), each a phase 1 of its
# own (one peer address each), 10.10.i.0/24 <-> 10.20.i.0/24; PSK, ESP AES-GCM-128.
ike_addrs() {
	local i
	for i in $(seq 0 $((IKE_N - 1))); do echo "address add 192.168.1.$((10 + i))/24 dev vb"; done |
		ip -n b -batch -
}

# iked_conf NS GROUP: nfsec-iked's IKE_N tunnels in NS (a starts them all, b answers).
iked_conf() {
	local i me peer lts rts
	for i in $(seq 0 $((IKE_N - 1))); do
		if [ "$1" = a ]; then
			me=192.168.1.1 peer=192.168.1.$((10 + i)) lts=10.10.$i.0/24 rts=10.20.$i.0/24
		else
			me=192.168.1.$((10 + i)) peer=192.168.1.1 lts=10.20.$i.0/24 rts=10.10.$i.0/24
		fi
		echo "tunnel t$i local $me remote $peer local-ts $lts remote-ts $rts auth psk psk" \
			"sesame ike aes128-sha256-$2 esp aes128gcm16 auto $([ "$1" = a ] && echo start || echo none)"
	done
}

# charon_conf_n NS GROUP: the same for charon (start_action start in a).
charon_conf_n() {
	local i me peer lts rts start=
	[ "$1" = a ] && start="start_action = start"
	mkdir -p "$IKE_DIR/$1/swanctl"
	{
		echo "connections {"
		for i in $(seq 0 $((IKE_N - 1))); do
			if [ "$1" = a ]; then
				me=192.168.1.1 peer=192.168.1.$((10 + i)) lts=10.10.$i.0/24 rts=10.20.$i.0/24
			else
				me=192.168.1.$((10 + i)) peer=192.168.1.1 lts=10.20.$i.0/24 rts=10.10.$i.0/24
			fi
			cat <<-EOF
			t$i {
				version = 1
				local_addrs = $me
				remote_addrs = $peer
				proposals = aes128-sha256-$2
				local {
					auth = psk
					id = $me
				}
				remote {
					auth = psk
					id = $peer
				}
				children {
					c {
						local_ts = $lts
						remote_ts = $rts
						esp_proposals = aes128gcm16
						$start
					}
				}
			}
			EOF
		done
		echo "}"
		printf 'secrets {\n\tike-all {\n\t\tsecret = "sesame"\n\t}\n}\n'
	} > "$IKE_DIR/$1/swanctl/swanctl.conf"
}

# Each the same: one dump, one line an SA, counted by grep (not jq, whose start-up in the
# guest costs more than the dump, on the CPUs the daemons share).
xfrm_states() { ip -n a xfrm state | grep -c '^src' || true; }
nfsec_sas() { $A nfsec sa show | grep -c '^spi' || true; }
all_up() { [ "$("$1")" -ge $((2 * IKE_N)) ]; }

# ike_rate STACK GROUP: tunnels/s, from a's daemon starting (nfsec) or loading its
# connections (charon) to a's 2 x IKE_N SAs installed; b answers, ready before. STACK
# charon-open: charon without its cap of 5 half-open IKE_SAs per peer address
# (block_threshold), which holds back all but 5 of a's at a time (b's log: "per-IP
# half-open IKE_SA limit of 5 reached", a's retransmissions), where nfsec-iked's cap of 4
# is each named tunnel's own.
ike_rate() {
	local t0 ms ns count up rate=""
	flush_all
	rm -rf "$IKE_DIR"
	mkdir -p "$IKE_DIR/a" "$IKE_DIR/b"
	if [ "$1" = nfsec ]; then
		iked_conf b "$2" > "$IKE_DIR/b/iked.conf"
		iked_conf a "$2" > "$IKE_DIR/a/iked.conf"
		nsenter --net=/run/netns/b nfsec-iked -f -c "$IKE_DIR/b/iked.conf" \
			-S "$IKE_DIR/b/iked.sock" > "$IKE_DIR/b/iked.log" 2>&1 &
		IKEDS+=($!)
		wait_until 120 "nfsec-iked in b" test -S "$IKE_DIR/b/iked.sock"
		t0=$(now_ms)
		nsenter --net=/run/netns/a nfsec-iked -f -c "$IKE_DIR/a/iked.conf" \
			-S "$IKE_DIR/a/iked.sock" > "$IKE_DIR/a/iked.log" 2>&1 &
		IKEDS+=($!)
		count=nfsec_sas
	else
		[ "$1" = charon ] || local CHARON_OPTS="block_threshold = 1000"
		charon_conf_n b "$2"
		charon_conf_n a "$2"
		charon_start b b
		charon_start a a
		swanctl_load b
		t0=$(now_ms)
		swanctl_load a
		count=xfrm_states
	fi
	# Not all up in time (charon with its cap gives up on what it blocked: 100 tunnels at
	# once never all came up): the rate of those that did, and how many.
	if ! all_up_within $IKE_WAIT $count; then
		up=$(($($count) / 2))
		rate="$(awk -v n="$up" -v s=$IKE_WAIT 'BEGIN { printf "%.2f", n / s }')"
		rate+=" ($up of $IKE_N up in $IKE_WAIT s)"
	fi
	ms=$(($(now_ms) - t0))
	iked_stop_all
	charon_stop_all
	for ns in a b; do
		mkdir -p "${NFSEC_OUT:-/tmp}/ike-logs/$1-$2/$ns"
		cp "$IKE_DIR/$ns"/*.log "${NFSEC_OUT:-/tmp}/ike-logs/$1-$2/$ns/"
	done
	flush_all
	if [ -n "$rate" ]; then echo "$rate"; return; fi
	awk -v n="$IKE_N" -v ms="$ms" 'BEGIN { printf "%.1f\n", n * 1000 / ms }'
}

# all_up_within SECONDS COUNT: all_up COUNT within SECONDS, or false
all_up_within() {
	local end=$((SECONDS + $1))
	until all_up "$2"; do
		[ $SECONDS -lt "$end" ] || return 1
		sleep 0.5
	done
}

# --- the run --------------------------------------------------------------------------------

module_load
# The data part's nfsec figures on the serial path (parallel=0: a packet's crypto on the
# CPU it came on, as XFRM's) but its parallel rows, which turn the default back on for
# themselves; the policies part measures nfsec as it comes (parallel=1).
echo 0 > /sys/module/nfsec/parameters/parallel
setup
$B iperf3 -s -D -B 10.0.2.1
sleep 0.5

declare -A R
pairs="nfsec:nfsec xfrm:xfrm nfsec:xfrm xfrm:nfsec"
counts=""
for n in 1 1000 10000 100000; do [ $n -gt "$POLICY_MAX" ] || counts+=" $n"; done
# set_max STACK KIND: the largest set of KIND that STACK is measured with
set_max() {
	if [ "$1:$2" = xfrm:inexact ] && [ "$POLICY_MAX" -gt $XFRM_INEXACT_MAX ]; then
		echo $XFRM_INEXACT_MAX
	else
		echo "$POLICY_MAX"
	fi
}
declare -A TOOK	# minutes each part took
took() { TOOK[$1]=$(awk -v s=$((SECONDS - T0)) 'BEGIN { printf "%.1f", s / 60 }'); T0=$SECONDS; }
T0=$SECONDS
if part data; then
	path clear clear
	R[clear-tcp1]=$(median_of tcp_rate 1)
	R[clear-udp64]=$(median_of udp_rate 64)
	R[clear-lat]=$(latency)
	for p in $pairs; do
		path "${p%:*}" "${p#*:}"
		[ "${p%:*}" != "${p#*:}" ] || R[$p-lat]=$(latency)
		R[$p-tcp1]=$(median_of tcp_rate 1)
		R[$p-tcp4]=$(median_of tcp_rate 4)
		R[$p-udp64]=$(median_of udp_rate 64)
		R[$p-udp1400]=$(median_of udp_rate 1400)
	done
	# The same with each SA's crypto spread over the CPUs (module parameter parallel=1):
	# both ends nfsec, and nfsec receiving from XFRM.
	echo 1 > /sys/module/nfsec/parameters/parallel
	for p in nfsec:nfsec xfrm:nfsec; do
		path "${p%:*}" "${p#*:}"
		[ "${p%:*}" != "${p#*:}" ] || R[$p-par-lat]=$(latency)
		R[$p-par-tcp1]=$(median_of tcp_rate 1)
		R[$p-par-tcp4]=$(median_of tcp_rate 4)
		R[$p-par-udp64]=$(median_of udp_rate 64)
		R[$p-par-udp1400]=$(median_of udp_rate 1400)
	done
	echo 0 > /sys/module/nfsec/parameters/parallel
	for alg in chacha cbc128-sha256; do
		for p in nfsec:nfsec xfrm:xfrm; do
			path "${p%:*}" "${p#*:}" "$alg"
			R[$p-$alg]=$(median_of tcp_rate 1)
		done
	done
	for p in nfsec:nfsec xfrm:xfrm; do
		encap_sockets "${p%:*}"
		ENCAP=1 path "${p%:*}" "${p#*:}"
		R[$p-encap-tcp1]=$(median_of tcp_rate 1)
		R[$p-encap-udp64]=$(median_of udp_rate 64)
	done
	encap_sockets none
	CEIL=$(ceiling)
	took data
fi
# paired KIND N: nfsec's rate with the set of N and its rate with 1 policy, one just
# after the other, RUNS times: sets R[nfsec-KIND-N] and R[nfsec-KIND-N-vs1] (each run's
# ratio). Two medians taken minutes apart differ by as much as the loss to be measured.
paired() {
	local i one many v=() q=()
	for i in $(seq 1 "$RUNS"); do
		path nfsec nfsec
		one=$(udp_rate 64)
		install nfsec /tmp/bench-policies
		many=$(udp_rate 64)
		v+=("$many")
		q+=("$(ratio "$many" "$one")")
	done
	R[nfsec-$1-$2]=$(summary "${v[@]}")
	R[nfsec-$1-$2-vs1]=$(summary "${q[@]}")
}

if part policies; then
	# Policies: the UDP rate over nfsec->nfsec and XFRM->XFRM from h, forwarded by a with
	# each set on a's output; nfsec's largest set paired with 1 policy run by run.
	echo 1 > /sys/module/nfsec/parameters/parallel
	host_h
	SEND=$H SRC=10.0.1.2
	for kind in exact inexact; do
		for n in $counts; do
			for stack in nfsec xfrm; do
				[ "$n" -le "$(set_max $stack $kind)" ] || continue
				if [ $stack = nfsec ] && [ "$n" -gt 1 ] && [ "$n" = "$POLICY_MAX" ]; then
					policy_set $kind $((n - 1)) $stack > /tmp/bench-policies
					paired $kind "$n"
					R[$stack-$kind-install]="$MS $KB $((n - 1))"
					continue
				fi
				path $stack $stack
				if [ "$n" -gt 1 ]; then
					policy_set $kind $((n - 1)) $stack > /tmp/bench-policies
					install $stack /tmp/bench-policies
					if [ "$n" = "$(set_max $stack $kind)" ]; then
						R[$stack-$kind-install]="$MS $KB $((n - 1))"
					fi
				fi
				R[$stack-$kind-$n]=$(median_of udp_rate 64)
			done
		done
	done
	echo 0 > /sys/module/nfsec/parameters/parallel
	SEND=$A SRC=10.0.1.1
	took policies
elif part control; then
	# The installs alone, as the policies part makes them, without the rates.
	for kind in exact inexact; do
		for stack in nfsec xfrm; do
			path $stack $stack
			n=$(($(set_max $stack $kind) - 1))
			policy_set $kind $n $stack > /tmp/bench-policies
			install $stack /tmp/bench-policies
			R[$stack-$kind-install]="$MS $KB $n"
		done
	done
	took control
fi
if part ike; then
	if [ -n "$ONLY" ]; then
		# What the parts before would have done: an AES-GCM SA of each stack, so that the
		# crypto modules the guest's first one loads are not the first IKE run's cost
		# (seconds: nfsec-iked's first SA stalled both daemons, genetlink requests going
		# one at a time).
		path nfsec nfsec
		path xfrm xfrm
	fi
	ike_addrs
	for group in modp2048 ecp256; do
		for stack in nfsec charon charon-open; do
			R[ike-$stack-$group]=$(ike_rate $stack $group)
		done
	done
	took ike
fi
if part control || part policies; then
	for stack in nfsec xfrm; do
		flush_all
		sa_set $stack $SA_COUNT > /tmp/bench-sas
		install $stack /tmp/bench-sas
		R[$stack-sas]="$MS $KB"
	done
	took SAs
fi
flush_all

row() {  # row LABEL KEY: a data path row over the four pairings
	local p out="| $1 |"
	for p in $pairs; do out+=" $(fig "${R[$p-$2]}") |"; done
	echo "$out $(ratio "$(med "${R[nfsec:nfsec-$2]}")" "$(med "${R[xfrm:xfrm-$2]}")") |" \
		"$(ratio "$(med "${R[xfrm:nfsec-$2]}")" "$(med "${R[xfrm:xfrm-$2]}")") |"
}
par_row() {  # par_row LABEL KEY: with parallel=1, against XFRM->XFRM (serial)
	local x=${R[xfrm:xfrm-$2]}
	echo "| $1 | $(fig "${R[nfsec:nfsec-par-$2]}") |" \
		"$(ratio "$(med "${R[nfsec:nfsec-par-$2]}")" "$(med "$x")") |" \
		"$(fig "${R[xfrm:nfsec-par-$2]}") | $(ratio "$(med "${R[xfrm:nfsec-par-$2]}")" "$(med "$x")") |"
}
same_row() {  # same_row LABEL KEY: nfsec->nfsec against XFRM->XFRM
	echo "| $1 | $(fig "${R[nfsec:nfsec-$2]}") | $(fig "${R[xfrm:xfrm-$2]}") |" \
		"$(ratio "$(med "${R[nfsec:nfsec-$2]}")" "$(med "${R[xfrm:xfrm-$2]}")") |"
}
per_us() { awk -v ms="$1" -v n="$2" 'BEGIN { printf "%.1f", ms * 1000 / n }'; }
per() { awk -v kb="$1" -v n="$2" 'BEGIN { printf "%.0f", kb * 1024 / n }'; }

{
	echo "# nfsec benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), QEMU TCG guest with" \
		"$(nproc) CPUs; tunnel mode, IPv4; each figure the median of $RUNS runs of $SECS s" \
		"(lowest-highest in brackets)$([ "$QUICK" = 1 ] && echo "; BENCH_QUICK")."
	echo
	echo "Minutes each part took:$(for k in data policies control ike SAs; do
		[ -z "${TOOK[$k]:-}" ] || printf ' %s %s;' "$k" "${TOOK[$k]}"; done | sed 's/;$//')."
	echo
	if part data; then
		echo "## Data path, AES-GCM-128"
		echo
		echo "Sender -> receiver stack, nfsec with \`parallel=0\` (each packet's crypto on the" \
			"CPU it came on, as XFRM's); TCP in Mbit/s, UDP in packets/s delivered. The last two" \
			"columns: nfsec->nfsec over XFRM->XFRM (both ends), and XFRM->nfsec over" \
			"XFRM->XFRM (nfsec receiving)."
		echo
		echo "| figure | nfsec->nfsec | XFRM->XFRM | nfsec->XFRM | XFRM->nfsec | nfsec/XFRM | receive |"
		echo "|---|---|---|---|---|---|---|"
		row "TCP, 1 flow" tcp1
		row "TCP, 4 flows" tcp4
		row "UDP, 64 bytes" udp64
		row "UDP, 1400 bytes" udp1400
		echo
		echo "In clear: TCP $(fig "${R[clear-tcp1]}") Mbit/s, UDP 64 bytes $(fig "${R[clear-udp64]}") packets/s."
		echo "AES-128-GCM on all $(nproc) CPUs of the guest (openssl speed, 1400 bytes): $CEIL Mbit/s;" \
			"one TCP flow is $(ratio "$(med "${R[nfsec:nfsec-tcp1]}")" "$CEIL") of it over nfsec," \
			"$(ratio "$(med "${R[xfrm:xfrm-tcp1]}")" "$CEIL") over XFRM."
		echo
		echo "Ping a -> b while one TCP flow runs a -> b, RTT in ms (p50 / p99):" \
			"clear $(lat "${R[clear-lat]}"), nfsec->nfsec $(lat "${R[nfsec:nfsec-lat]}")," \
			"XFRM->XFRM $(lat "${R[xfrm:xfrm-lat]}")."
		echo
		echo "With \`parallel=1\` (each SA's crypto over the CPUs, its packets in order; the" \
			"default), against the XFRM->XFRM figures above:"
		echo
		echo "| figure | nfsec->nfsec | nfsec/XFRM | XFRM->nfsec | receive |"
		echo "|---|---|---|---|---|"
		par_row "TCP, 1 flow" tcp1
		par_row "TCP, 4 flows" tcp4
		par_row "UDP, 64 bytes" udp64
		par_row "UDP, 1400 bytes" udp1400
		echo
		echo "Ping as above with \`parallel=1\`: nfsec->nfsec $(lat "${R[nfsec:nfsec-par-lat]}")."
		echo
		echo "![nfsec over XFRM, each figure](ratios.svg)"
		echo
		echo "## Other algorithms, TCP, 1 flow, Mbit/s"
		echo
		echo "| algorithm | nfsec->nfsec | XFRM->XFRM | nfsec/XFRM |"
		echo "|---|---|---|---|"
		for alg in chacha cbc128-sha256; do same_row "$alg" "$alg"; done
		echo
		echo "## ESP in UDP (RFC 3948), AES-GCM-128, port 4500 both ways"
		echo
		echo "| figure | nfsec->nfsec | XFRM->XFRM | nfsec/XFRM |"
		echo "|---|---|---|---|"
		same_row "TCP, 1 flow, Mbit/s" encap-tcp1
		same_row "UDP, 64 bytes, packets/s" encap-udp64
		echo
	fi
	if part policies; then
		echo "## Policies"
		echo
		echo "UDP 64-byte packets/s, each stack to itself, from a host behind a that a" \
			"forwards (a gateway: each packet looked up), with N outbound policies on a (N - 1" \
			"never match; inexact: IPv4 prefixes /8 to /32 within 10.0.0.0/8, the sites'" \
			"network the tunnel's are in, those that hold its traffic kept off it by protocol" \
			"and port; IPv6 /16 to /128 on a quarter; priorities 1 to 1000 around the" \
			"tunnel's 100); nfsec as it comes" \
			"(\`parallel=1\`). The last column: nfsec's rate over its rate with 1 policy; at" \
			"N = $POLICY_MAX each of the $RUNS runs with the set is paired with one with 1 policy" \
			"just before it, and the column is the median of the runs' ratios (lowest-highest)."
		echo
		echo "| set | N | nfsec | XFRM | nfsec/XFRM | nfsec vs its N = 1 |"
		echo "|---|---|---|---|---|---|"
		for kind in exact inexact; do
			for n in $counts; do
				vs1=$(ratio "$(med "${R[nfsec-$kind-$n]}")" "$(med "${R[nfsec-$kind-1]}")")
				[ -z "${R[nfsec-$kind-$n-vs1]:-}" ] || vs1=$(fig "${R[nfsec-$kind-$n-vs1]}")
				if [ -z "${R[xfrm-$kind-$n]:-}" ]; then
					# XFRM's rate at its largest set bounds its rate with more
					x=${R[xfrm-$kind-$(set_max xfrm $kind)]}
					echo "| $kind | $n | $(fig "${R[nfsec-$kind-$n]}") |" \
						"not run (below; at $(set_max xfrm $kind): $(med "$x")) |" \
						"at least $(ratio "$(med "${R[nfsec-$kind-$n]}")" "$(med "$x")") | $vs1 |"
					continue
				fi
				echo "| $kind | $n | $(fig "${R[nfsec-$kind-$n]}") | $(fig "${R[xfrm-$kind-$n]}") |" \
					"$(ratio "$(med "${R[nfsec-$kind-$n]}")" "$(med "${R[xfrm-$kind-$n]}")") | $vs1 |"
			done
		done
		echo
		if [ "$(set_max xfrm inexact)" != "$POLICY_MAX" ]; then
			echo "XFRM's inexact sets stop at $(set_max xfrm inexact): it inserts each after" \
				"a walk of those before it (9 999 took 25 s in this guest, 19 999 133 s," \
				"39 999 542 s), and its rate can only fall with more."
			echo
		fi
		echo "![UDP rate against the number of policies](policies.svg)"
		echo
	fi
	if part control || part policies; then
		echo "## Control plane and memory"
		echo
		echo "| what | nfsec | XFRM | XFRM/nfsec |"
		echo "|---|---|---|---|"
		for kind in exact inexact; do
			set -- ${R[nfsec-$kind-install]}; nms=$1 nkb=$2 nn=$3
			set -- ${R[xfrm-$kind-install]}; xms=$1 xkb=$2 xn=$3
			if [ "$nn" = "$xn" ]; then
				echo "| install $nn $kind policies, ms | $nms | $xms | $(ratio "$xms" "$nms") |"
			else
				# per policy: XFRM's cost per policy only grows with the set
				echo "| install $kind policies, µs each (nfsec $nn, XFRM $xn) |" \
					"$(per_us "$nms" "$nn") | $(per_us "$xms" "$xn") |" \
					"$(ratio "$(per_us "$xms" "$xn")" "$(per_us "$nms" "$nn")") |"
			fi
			echo "| slab per $kind policy, bytes | $(per "$nkb" "$nn") |" \
				"$(per "$xkb" "$xn") | $(ratio "$(per "$xkb" "$xn")" "$(per "$nkb" "$nn")") |"
		done
		set -- ${R[nfsec-sas]}; nms=$1 nkb=$2
		set -- ${R[xfrm-sas]}; xms=$1 xkb=$2
		echo "| install $SA_COUNT SAs, ms | $nms | $xms | $(ratio "$xms" "$nms") |"
		echo "| slab per SA, bytes | $(per "$nkb" $SA_COUNT) | $(per "$xkb" $SA_COUNT) | $(ratio "$xkb" "$nkb") |"
		echo
		echo
	fi
	if part ike; then
		echo "## IKE: tunnels per second"
		echo
		echo "$IKE_N tunnels from a to b, each its own phase 1 (main mode, PSK, AES-128/SHA-256)" \
			"and phase 2 (AES-GCM-128, no PFS), all started at once; from a's daemon starting" \
			"(charon: loading its connections) to a's $((2 * IKE_N)) SAs installed; a stack" \
			"not all up within $IKE_WAIT s: those it brought up, over $IKE_WAIT s."
		echo
		echo "The last two columns: charon without its cap of 5 half-open IKE_SAs per peer" \
			"address (block_threshold = 1000), which holds a's to 5 at a time (nfsec-iked's" \
			"cap is per tunnel naming the peer)."
		echo
		echo "| group | nfsec-iked | charon | nfsec/charon | charon, no cap | nfsec/charon, no cap |"
		echo "|---|---|---|---|---|---|"
		for group in modp2048 ecp256; do
			echo "| $group | ${R[ike-nfsec-$group]} | ${R[ike-charon-$group]} |" \
				"$(ratio "$(med "${R[ike-nfsec-$group]}")" "$(med "${R[ike-charon-$group]}")") |" \
				"${R[ike-charon-open-$group]} |" \
				"$(ratio "$(med "${R[ike-nfsec-$group]}")" "$(med "${R[ike-charon-open-$group]}")") |"
		done
	fi
} > "$OUT"
cat "$OUT"

[ -z "$ONLY" ] || exit 0

# The plots' data (tests/bench/plot.gp, on the host): nfsec/XFRM by figure, and the
# policies' rates.
{
	for f in tcp1:"TCP 1 flow" tcp4:"TCP 4 flows" udp64:"UDP 64 B" udp1400:"UDP 1400 B" \
		chacha:"ChaCha TCP" cbc128-sha256:"CBC TCP" encap-tcp1:"in UDP, TCP" \
		encap-udp64:"in UDP, UDP 64 B"; do
		printf '%s\t%s\n' "${f#*:}" \
			"$(ratio "$(med "${R[nfsec:nfsec-${f%%:*}]}")" "$(med "${R[xfrm:xfrm-${f%%:*}]}")")"
	done
	printf 'receive, TCP 1 flow\t%s\n' \
		"$(ratio "$(med "${R[xfrm:nfsec-tcp1]}")" "$(med "${R[xfrm:xfrm-tcp1]}")")"
	printf 'TCP 1 flow, parallel=1\t%s\n' \
		"$(ratio "$(med "${R[nfsec:nfsec-par-tcp1]}")" "$(med "${R[xfrm:xfrm-tcp1]}")")"
	printf 'receive, parallel=1\t%s\n' \
		"$(ratio "$(med "${R[xfrm:nfsec-par-tcp1]}")" "$(med "${R[xfrm:xfrm-tcp1]}")")"
} > "${NFSEC_OUT:-/tmp}/ratios.tsv"
for kind in exact inexact; do
	for n in $counts; do
		printf '%s\t%s\t%s\t%s\n' "$kind" "$n" "$(med "${R[nfsec-$kind-$n]}")" \
			"$(med "${R[xfrm-$kind-$n]}")"
	done
done > "${NFSEC_OUT:-/tmp}/policies.tsv"
