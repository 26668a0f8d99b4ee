#!/bin/bash
# The benchmark, in the guest (stock kernel): namespace a sends to namespace b over a veth
# pair, through an nfsec tunnel, through an XFRM tunnel with the same algorithm (AES-GCM-128)
# and keys, and in clear, all in this one run; b runs XFRM as the receiving peer each time.
# Measures TCP throughput and the small-packet UDP rate (iperf3), then the UDP rate again
# with 1, 1 000 and 100 000 policies installed on the sending side, for nfsec and for XFRM
# (the same policy set in each). Writes Markdown to $NFSEC_OUT/bench.md.
#
# Numbers from a QEMU guest without KVM are slow in absolute terms; the ratios between the
# three paths, measured side by side, are what this is for.
. "$(dirname "$0")/../vm/lib.sh"
. "$(dirname "$0")/../vm/esp-lib.sh"

SECS=${BENCH_SECONDS:-8}
OUT=${NFSEC_OUT:-/tmp}/bench.md

# A tunnel from a to b for 10.0.1.0/24 <-> 10.0.2.0/24 with XFRM on both sides.
xfrm_up() {
	local k=0x00112233445566778899aabbccddeeff01020304
	flush
	$A ip xfrm state add src 192.168.1.1 dst 192.168.1.2 proto esp spi 0x1001 reqid 1 \
		mode tunnel aead 'rfc4106(gcm(aes))' $k 128
	$A ip xfrm state add src 192.168.1.2 dst 192.168.1.1 proto esp spi 0x2001 reqid 1 \
		mode tunnel aead 'rfc4106(gcm(aes))' $k 128
	$A ip xfrm policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir out \
		tmpl src 192.168.1.1 dst 192.168.1.2 proto esp reqid 1 mode tunnel
	$A ip xfrm policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir in \
		tmpl src 192.168.1.2 dst 192.168.1.1 proto esp reqid 1 mode tunnel
	eval "$B ip xfrm state add src 192.168.1.1 dst 192.168.1.2 proto esp spi 0x1001 \
		reqid 1 mode tunnel aead 'rfc4106(gcm(aes))' $k 128"
	eval "$B ip xfrm state add src 192.168.1.2 dst 192.168.1.1 proto esp spi 0x2001 \
		reqid 1 mode tunnel aead 'rfc4106(gcm(aes))' $k 128"
	$B ip xfrm policy add src 10.0.2.0/24 dst 10.0.1.0/24 dir out \
		tmpl src 192.168.1.2 dst 192.168.1.1 proto esp reqid 1 mode tunnel
	$B ip xfrm policy add src 10.0.1.0/24 dst 10.0.2.0/24 dir in \
		tmpl src 192.168.1.1 dst 192.168.1.2 proto esp reqid 1 mode tunnel
}

flush_all() {
	flush
	$A ip xfrm state flush
	$A ip xfrm policy flush
}

# N extra policies on a's output that this traffic never matches (one /32 each, as a
# site-to-site setup with many hosts has), for nfsec or XFRM.
extra_policies() {
	local kind=$1 n=$2 f=/tmp/bench-policies
	[ "$n" -gt 0 ] || return 0
	if [ "$kind" = nfsec ]; then
		seq 0 $((n - 1)) | awk '{ printf "policy add dir out action bypass src 172.%d.%d.%d dst 172.31.0.1\n", 16 + int($1 / 65536), int($1 / 256) % 256, $1 % 256 }' > $f
		$A nfsec -batch $f
	else
		seq 0 $((n - 1)) | awk '{ printf "xfrm policy add src 172.%d.%d.%d/32 dst 172.31.0.1/32 dir out action allow\n", 16 + int($1 / 65536), int($1 / 256) % 256, $1 % 256 }' > $f
		$A ip -batch $f
	fi
}

tcp_rate() {  # Mbit/s from a to b
	$A iperf3 -c $IB -B $IA -t "$SECS" -J | jq '.end.sum_received.bits_per_second / 1e6 | floor'
}

udp_rate() {  # packets/s of 64-byte UDP payloads received by b
	$A iperf3 -c $IB -B $IA -u -l 64 -b 0 -t "$SECS" -J |
		jq '(.end.sum.packets - .end.sum.lost_packets) / .end.sum.seconds | floor'
}

# measure PATH: sets TCP and UDP for PATH = clear | xfrm | nfsec
measure() {
	flush_all
	case $1 in
	xfrm) xfrm_up ;;
	nfsec) esp_up gcm128 tunnel 4 4 ;;
	esac
	IA=10.0.1.1 IB=10.0.2.1
	TCP=$(tcp_rate) UDP=$(udp_rate)
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

module_load
setup
$B iperf3 -s -D -B 10.0.2.1
sleep 0.5

measure clear; clear_tcp=$TCP clear_udp=$UDP
measure xfrm; xfrm_tcp=$TCP xfrm_udp=$UDP
measure nfsec; nfsec_tcp=$TCP nfsec_udp=$UDP

declare -A pol_udp
for n in 1 1000 100000; do
	for kind in nfsec xfrm; do
		measure $kind
		extra_policies $kind $((n - 1))
		pol_udp[$kind-$n]=$(udp_rate)
	done
done
flush_all

{
	echo "# nfsec benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), QEMU TCG guest with" \
		"$(nproc) CPUs; AES-GCM-128 tunnel mode, IPv4; $SECS s per measurement."
	echo "The peer is Linux XFRM in every run; the sender changes."
	echo
	echo "| path | TCP Mbit/s | UDP 64-byte packets/s |"
	echo "|---|---|---|"
	echo "| clear | $clear_tcp | $clear_udp |"
	echo "| XFRM | $xfrm_tcp | $xfrm_udp |"
	echo "| nfsec | $nfsec_tcp | $nfsec_udp |"
	echo "| **nfsec / XFRM** | **$(ratio $nfsec_tcp $xfrm_tcp)** | **$(ratio $nfsec_udp $xfrm_udp)** |"
	echo
	echo "UDP packets/s with N outbound policies on the sender (N - 1 of them never match):"
	echo
	echo "| N | nfsec | XFRM | nfsec / XFRM | nfsec vs its N = 1 |"
	echo "|---|---|---|---|---|"
	for n in 1 1000 100000; do
		echo "| $n | ${pol_udp[nfsec-$n]} | ${pol_udp[xfrm-$n]} |" \
			"$(ratio ${pol_udp[nfsec-$n]} ${pol_udp[xfrm-$n]}) |" \
			"$(ratio ${pol_udp[nfsec-$n]} ${pol_udp[nfsec-1]}) |"
	done
} > "$OUT"
cat "$OUT"
