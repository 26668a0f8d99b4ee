# Shared by the ESP tests: two namespaces joined by a veth pair, nfsec in a, Linux XFRM
# (the peer) in b, and the tools to drive traffic and watch the wire. Sourced after lib.sh.
#
# a: va 192.168.1.1/24 fd01::1/64, inner (dummy) 10.0.1.1/24 fd10:1::1/64
# b: vb 192.168.1.2/24 fd01::2/64, inner (dummy) 10.0.2.1/24 fd10:2::1/64

# The test kernel (KASAN, lockdep, kmemleak) is many times slower: less data there.
if [ -e /sys/kernel/debug/kmemleak ]; then SLOW=1 DATA_SIZE=256K; else SLOW=0 DATA_SIZE=512K; fi

# A command in a namespace: nsenter into its network namespace alone. `ip netns exec` also
# makes a mount namespace and remounts /sys for every command (0.6 s each on the debug
# kernel), which only matters to what reads /sys/class/net: nothing here.
A="nsenter --net=/run/netns/a"
B="nsenter --net=/run/netns/b"
DATA=/tmp/esp-data

# name: the nfsec words, the ip xfrm words, for the same keys
alg_words() {
	local k16=00112233445566778899aabbccddeeff salt=01020304
	local k32=$k16$k16
	case $1 in
	gcm128) NF="aead gcm-aes 0x$k16$salt 128"
		XF="aead 'rfc4106(gcm(aes))' 0x$k16$salt 128" ;;
	gcm256) NF="aead gcm-aes 0x$k32$salt 128"
		XF="aead 'rfc4106(gcm(aes))' 0x$k32$salt 128" ;;
	chacha) NF="aead chacha20-poly1305 0x$k32$salt 128"
		XF="aead 'rfc7539esp(chacha20,poly1305)' 0x$k32$salt 128" ;;
	cbc128-sha256) NF="enc aes-cbc 0x$k16 auth sha256 0x$k32"
		XF="enc 'cbc(aes)' 0x$k16 auth-trunc 'hmac(sha256)' 0x$k32 128" ;;
	cbc256-sha384) NF="enc aes-cbc 0x$k32 auth sha384 0x$k32$k16"
		XF="enc 'cbc(aes)' 0x$k32 auth-trunc 'hmac(sha384)' 0x$k32$k16 192" ;;
	cbc256-sha512) NF="enc aes-cbc 0x$k32 auth sha512 0x$k32$k32"
		XF="enc 'cbc(aes)' 0x$k32 auth-trunc 'hmac(sha512)' 0x$k32$k32 256" ;;
	null-sha256) NF="enc null \"\" auth sha256 0x$k32"
		XF="enc 'ecb(cipher_null)' \"\" auth-trunc 'hmac(sha256)' 0x$k32 128" ;;
	*) fail "unknown algorithm $1" ;;
	esac
}

setup() {
	netns_add a
	netns_add b
	ip link add va netns a type veth peer name vb netns b
	$A ip addr add 192.168.1.1/24 dev va
	$B ip addr add 192.168.1.2/24 dev vb
	$A ip addr add fd01::1/64 dev va nodad
	$B ip addr add fd01::2/64 dev vb nodad
	$A ip link add inner type dummy
	$B ip link add inner type dummy
	$A ip addr add 10.0.1.1/24 dev inner
	$B ip addr add 10.0.2.1/24 dev inner
	$A ip addr add fd10:1::1/64 dev inner nodad
	$B ip addr add fd10:2::1/64 dev inner nodad
	for ns in a b; do
		nsenter --net=/run/netns/$ns ip link set lo up
		nsenter --net=/run/netns/$ns ip link set inner up
	done
	$A ip link set va up
	$B ip link set vb up
	$A ip route add 10.0.2.0/24 via 192.168.1.2
	$B ip route add 10.0.1.0/24 via 192.168.1.1
	$A ip route add fd10:2::/64 via fd01::2
	$B ip route add fd10:1::/64 via fd01::1
	head -c $DATA_SIZE /dev/urandom > $DATA
}

# nat_router PUB: a behind a router r, for the NAT traversal tests: a's va 192.168.1.1/24
# to r's vra 192.168.1.254/24 (a's default route), r's vrb PUB/24 to b's vb
# 203.0.113.2/24; a's inner 10.0.1.1/24, b's 10.0.2.1/24, which b routes via PUB (the
# policy, not the route, decides where it goes); r forwards. R runs in r; what r
# translates (nft) is the caller's.
nat_router() {
	local ns
	netns_add a
	netns_add b
	netns_add r
	ip link add va netns a type veth peer name vra netns r
	ip link add vb netns b type veth peer name vrb netns r
	$A ip addr add 192.168.1.1/24 dev va
	$R ip addr add 192.168.1.254/24 dev vra
	$R ip addr add "$1/24" dev vrb
	$B ip addr add 203.0.113.2/24 dev vb
	for ns in a b; do
		nsenter --net=/run/netns/$ns ip link add inner type dummy
		nsenter --net=/run/netns/$ns ip link set inner up
	done
	$A ip addr add 10.0.1.1/24 dev inner
	$B ip addr add 10.0.2.1/24 dev inner
	for ns in a b r; do nsenter --net=/run/netns/$ns ip link set lo up; done
	$A ip link set va up
	$B ip link set vb up
	$R ip link set vra up
	$R ip link set vrb up
	$A ip route add default via 192.168.1.254
	$B ip route add 10.0.1.0/24 via "$1"
	$R sysctl -qw net.ipv4.ip_forward=1
}

# host_behind ROUTER HOST HOST_ADDR ROUTER_ADDR PREFIXLEN [nodad] [INNER]: namespace HOST
# on a network behind namespace ROUTER, joined by the veth vHOST (in HOST) - vROUTERHOST
# (in ROUTER), its default route through ROUTER_ADDR; INNER (an address/prefix): a dummy
# network "inner" in HOST too. Forwarding in ROUTER is the caller's.
host_behind() {
	local router=$1 host=$2 h="nsenter --net=/run/netns/$2" r="nsenter --net=/run/netns/$1"
	netns_add "$host"
	ip link add "v$host" netns "$host" type veth peer name "v$router$host" netns "$router"
	$h ip link set lo up
	$h ip link set "v$host" up
	$r ip link set "v$router$host" up
	$h ip addr add "$3/$5" dev "v$host" ${6:-}
	$r ip addr add "$4/$5" dev "v$router$host" ${6:-}
	$h ip route add default via "$4"
	if [ -n "${7:-}" ]; then
		$h ip link add inner type dummy
		$h ip addr add "$7" dev inner
		$h ip link set inner up
	fi
}

# behind_a C_ADDR A_ADDR PREFIXLEN [nodad]: namespace c, a network behind a (a routes for
# it, forwarding on), joined to a by the veth vc (in c) - vac (in a).
behind_a() {
	host_behind a c "$@"
	$A sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# Every SA and policy of both sides gone. Here and in esp_up each side's commands go in
# one batch: a process costs a fifth of a second under TCG, and a case would start dozens.
FLUSH_A=$'sa flush\npolicy flush'
FLUSH_B=$'xfrm state flush\nxfrm policy flush'
flush() {
	$A nfsec -batch - <<< "$FLUSH_A"
	ip -n b -batch - <<< "$FLUSH_B"
}

# tcp_check FROM_NS FROM_ADDR TO_NS TO_ADDR: $DATA over TCP, compared by SHA-256.
tcp_check() {
	local from=$1 src=$2 to=$3 addr=$4 port=$((5000 + RANDOM % 1000)) got
	nsenter --net="/run/netns/$to" timeout 300 nc -l "$addr" $port > /tmp/esp-recv &
	local srv=$!
	wait_until 120 "a TCP listener on port $port in $to" listening "$to" tcp $port
	nsenter --net="/run/netns/$from" timeout 300 nc -N -s "$src" "$addr" $port < $DATA ||
		fail "nc $from -> $addr failed"
	wait $srv || fail "nc server in $to failed"
	got=$(sha256sum < /tmp/esp-recv)
	expect_eq "TCP $from -> $addr" "$got" "$(sha256sum < $DATA)"
}

# What leaves each side is the wire: a capture of what comes in would also show the
# decrypted packets, which both nfsec and XFRM re-inject on the device they came from.
CAP=()
capture_start() {
	local ns
	CAP=()
	for ns in a b; do
		nsenter --net=/run/netns/$ns tcpdump -i v$ns -Q out -n -U --immediate-mode \
			-w /tmp/esp-$ns.pcap 2> /tmp/tcpdump-$ns.err &
		CAP+=($!)
	done
	for ns in a b; do
		wait_until 120 "tcpdump in $ns" grep -q listening /tmp/tcpdump-$ns.err
	done
}

# Immediate mode hands each packet to tcpdump at once: a TPACKET_V3 block could hold the
# last ones for up to a second, past the kill.
capture_stop() {
	sleep 0.5
	kill "${CAP[@]}"
	wait "${CAP[@]}" || true
}

# count FILTER: packets of both captures that match
count() {
	{ tcpdump -r /tmp/esp-a.pcap -n "$1"; tcpdump -r /tmp/esp-b.pcap -n "$1"; } \
		2> /dev/null | wc -l
}

# wire_counts: both captures, read once each, in three counts: WIRE_ESP (ESP packets, IPv4
# fragments included), WIRE_CLEAR (UDP to port 7777: the flow bypass policies exempt) and
# WIRE_LEAK (any other TCP, UDP, ICMP or ICMPv6 echo: cleartext of a protected flow, listed
# in WIRE_LEAKS). An IPv6 fragment after the first shows no protocol: its first fragment
# counts. Counted in bash: on the debug kernel each process costs most of a second.
wire_counts() {
	local filter line
	filter='esp or tcp or udp or icmp or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))'
	WIRE_ESP=0 WIRE_CLEAR=0 WIRE_LEAK=0 WIRE_LEAKS=""
	while IFS= read -r line; do
		case $line in
		*" ESP("* | *": ip-proto-50"*) WIRE_ESP=$((WIRE_ESP + 1)) ;;
		*": frag ("[1-9]*) ;;
		*".7777: UDP"*) WIRE_CLEAR=$((WIRE_CLEAR + 1)) ;;
		*) WIRE_LEAK=$((WIRE_LEAK + 1)) WIRE_LEAKS+="$line"$'\n' ;;
		esac
	done < <(tcpdump -r /tmp/esp-a.pcap -n "$filter" 2> /dev/null
		tcpdump -r /tmp/esp-b.pcap -n "$filter" 2> /dev/null)
}

# stats_delta BEFORE AFTER: sets DELTA[name] to AFTER's counter minus BEFORE's, for every
# counter of two `nfsec -j stats` outputs, in one jq.
declare -A DELTA
stats_delta() {
	local k v
	DELTA=()
	while read -r k v; do
		DELTA[$k]=$v
	done < <(jq -n -r --argjson a "$1" --argjson b "$2" \
		'$b | keys[] as $k | "\($k) \($b[$k] - $a[$k])"')
}

# stat NAME: nfsec's counter NAME in a (nfsec stats).
stat() { $A nfsec -j stats | jq ".$1"; }

# wait_stat NAME VALUE: nfsec's counter NAME in a reaches VALUE within 30 s.
stat_reached() { [ "$(stat "$1")" -ge "$2" ]; }
wait_stat() { wait_until 30 "$1 reaching $2" stat_reached "$1" "$2"; }

# capture NS FILE COUNT FILTER: COUNT packets that NS's veth sends and FILTER matches, to
# FILE, in the background (CAPTURE: its pid), listening once this returns.
capture() {
	nsenter --net="/run/netns/$1" timeout 60 tcpdump -i v$1 -Q out -n -U --immediate-mode \
		-c "$3" -w "$2" "$4" 2> "$2.err" &
	CAPTURE=$!
	wait_until 120 "tcpdump in $1" grep -q listening "$2.err"
}

# What both sides saw, when a case fails.
diagnose() {
	set +e
	trap - ERR
	echo "--- nfsec in a:"; $A nfsec stats | grep -v ' 0$'; $A nfsec sa show
	$A nfsec policy show
	echo "--- XFRM in b:"; $B ip -s xfrm state; $B ip xfrm policy
	$B cat /proc/net/xfrm_stat | grep -v '\s0$'
	dmesg | tail -20
}


# esp_up ALG MODE INNER OUTER: SAs (SPIs 0x1001 a->b, 0x2001 b->a) and policies on both
# sides for the inner networks (tunnel) or the veth addresses (transport), of family INNER
# inside OUTER (4 or 6), at priority 100. Sets IA and IB, the addresses to talk between,
# and SEL_A and SEL_B, the prefixes the policies protect. $ESP_OUT_EXTRA
# goes to the end of nfsec's outbound "sa add" (lifetimes), $ESP_IN_EXTRA to the inbound's.
esp_up() {
	local alg=$1 mode=$2 inner=$3 outer=$4
	local oa ob ia ib sel_a sel_b tmpl_a tmpl_b
	alg_words "$alg"
	if [ "$outer" = 4 ]; then oa=192.168.1.1 ob=192.168.1.2; else oa=fd01::1 ob=fd01::2; fi
	if [ "$mode" = tunnel ]; then
		if [ "$inner" = 4 ]; then
			ia=10.0.1.1 ib=10.0.2.1 sel_a=10.0.1.0/24 sel_b=10.0.2.0/24
		else
			ia=fd10:1::1 ib=fd10:2::1 sel_a=fd10:1::/64 sel_b=fd10:2::/64
		fi
		tmpl_a="mode tunnel tmpl-src $oa tmpl-dst $ob reqid 1"
		tmpl_b="mode tunnel tmpl-src $ob tmpl-dst $oa reqid 1"
	else
		ia=$oa ib=$ob sel_a=$oa sel_b=$ob
		tmpl_a="mode transport reqid 1"
		tmpl_b="mode transport reqid 1"
	fi
	# Both sides' old SAs go before either side's new ones come: b's old state must not
	# send into a's new SA of the same SPI and keys (a stale packet with a high sequence
	# number would move the new window past everything b sends from 1). Then b, then a:
	# what b sends before a has its SAs is dropped as having no SA. (Both batch parsers
	# keep quoted words whole: $NF's "" is the null key.)
	$A nfsec -batch - <<< "$FLUSH_A"
	# An XFRM state's selector is of its outer family unless given: a mixed tunnel's
	# must name the inner one.
	local sel_ab="" sel_ba=""
	if [ "$inner" != "$outer" ]; then
		sel_ab="sel src $sel_a dst $sel_b" sel_ba="sel src $sel_b dst $sel_a"
	fi
	local esp="proto esp reqid 1 mode $mode"
	ip -n b -batch - <<-EOF || fail "XFRM in b refused the states or policies"
	$FLUSH_B
	xfrm state add src $oa dst $ob spi 0x1001 $esp $XF $sel_ab ${XF_EXTRA:-}
	xfrm state add src $ob dst $oa spi 0x2001 $esp $XF $sel_ba ${XF_EXTRA:-}
	xfrm policy add src $sel_b dst $sel_a dir out priority 100 tmpl src $ob dst $oa $esp
	xfrm policy add src $sel_a dst $sel_b dir in priority 100 tmpl src $oa dst $ob $esp
	EOF
	$A nfsec -batch - <<-EOF || fail "nfsec in a refused the SAs or policies"
	sa add spi 0x1001 dir out src $oa dst $ob mode $mode reqid 1 $NF ${ESP_OUT_EXTRA:-}
	sa add spi 0x2001 dir in src $ob dst $oa mode $mode reqid 1 $NF ${ESP_IN_EXTRA:-}
	policy add dir out priority 100 src $sel_a dst $sel_b $tmpl_a
	policy add dir in priority 100 src $sel_b dst $sel_a $tmpl_b
	EOF
	IA=$ia IB=$ib SEL_A=$sel_a SEL_B=$sel_b
}
