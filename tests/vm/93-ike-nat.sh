#!/bin/bash
# NAT traversal in IKEv1 (RFC 3947, ESP in UDP of RFC 3948): nfsec-iked behind a
# masquerading router against strongSwan's charon, charon behind it against nfsec-iked,
# and two nfsec-iked both behind NATs.
#
#   a: nfsec-iked (or charon)      r: router, masquerade          b: charon (or nfsec-iked)
#      inner 10.0.1.1/24                                             inner 10.0.2.1/24
#      va 192.168.1.1/24 ------- vra 192.168.1.254 | vrb 203.0.113.254 ------- vb 203.0.113.2/24
#                                                  | vrs 198.51.100.254 ----+
#   (both-nat only)                                                         |
#   c: nfsec-iked               s: router, masquerade, 500 and 4500 DNAT to c
#      inner 10.0.3.1/24                                                    |
#      vc 192.168.2.1/24 ------- vsc 192.168.2.254 | vs 198.51.100.2 -------+
#
# r masquerades everything that leaves it towards b or s, UDP onto ports 20000-29999, so
# the peer sees a's IKE and ESP come from ports the NAT chose. Each case says its peer:
#
#   main-psk        nfsec (a, behind r) initiates to charon (b), main mode, PSK: the first
#                   ping brings the tunnel up, both ends report the NAT (nfsec: "local
#                   behind NAT", charon: "remote host is behind NAT", TUNNEL-in-UDP), ping
#                   and TCP both ways, r's outer link carries UDP only (no ESP, protocol 50)
#   aggressive-pfs  the same in aggressive mode, quick mode with PFS
#   responder       charon (a, behind r) initiates to nfsec (b) with "remote %any": nfsec
#                   finds the peer behind a NAT, at the port the NAT chose
#   rekey           nfsec (a) to charon (b), main mode, quick mode with PFS: phase 2 and
#                   phase 1 rekeyed under traffic behind the NAT, no ping lost
#   keepalive       nfsec (a) to charon (b), aggressive mode without PFS, r's conntrack
#                   UDP timeouts 5 s, keepalives every 2 s: after the tunnel stayed idle
#                   through six of them (12 s), b's pings still reach a through the
#                   mapping they kept
#   nfsec-nfsec     nfsec (a, behind r) to nfsec (b, remote %any), aggressive mode, quick
#                   mode with PFS: the first ping brings it up, a reports itself behind
#                   the NAT, b its peer, b's SAs go to r's port; ping and TCP both ways
#   both-nat        nfsec (a, behind r) to nfsec (c, behind s, reached through s's DNAT):
#                   both find their own side behind a NAT, traffic both ways
#   rebind          charon (a, behind r) to nfsec (b, remote %any), aggressive mode, quick
#                   mode with PFS (nfsec the responder); r forgets a's mapping
#                   and maps it anew from another port range: b's module reports the
#                   mapping, nfsec moves its SAs and phase 1 to the new port, traffic
#                   comes back without a new phase 1
#   two-rw          two charons behind r (a, and e: 192.168.3.1 behind r's vre
#                   192.168.3.254, inner 10.0.4.1/24) to nfsec (b, remote %any,
#                   remote-ts 10.0.1.0/24,10.0.4.0/24), main mode, quick mode with PFS:
#                   both come from r's one address,
#                   at two ports; nfsec makes a peer of each (address and port), each
#                   with its SAs in UDP to its own port; traffic both ways with each;
#                   e's charon ending its IKE SA ends e's peer only, a's traffic goes on
#   transport-rw    charon (a, behind r) a road warrior in transport mode to nfsec (b,
#                   remote %any, encap transport), aggressive mode without PFS (so nfsec
#                   answers main and aggressive mode, each with and without PFS, to a
#                   charon behind a NAT): charon names its own address in its
#                   IDs, nfsec takes the address it sees (r's): SAs and policies between
#                   203.0.113.2 and r's address, transport mode in UDP to r's port; ping
#                   both ways, TCP a -> b (checksums over the addresses r rewrote)
#
# Each case with charon checks that both ends report the NAT (nfsec's tunnel show,
# charon's log and its SAs on 4500, in UDP).
#
#   93-ike-nat.sh case NAME    one case (namespaces already set up)
# vm: stock kernel only (the test kernel has no NAT)
# vm: cost 4
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"
. "$(dirname "$0")/ike-lib.sh"

R="nsenter --net=/run/netns/r"
PUB=203.0.113.254	# r's address on b's side: a as b sees it

# r_masquerade PORTS: r's translation, anew: what leaves towards b or s masquerades, UDP
# onto PORTS (a range); what goes back to a does not.
r_masquerade() {
	$R nft flush chain ip nat post
	$R nft add rule ip nat post oifname "vra" return
	$R nft add rule ip nat post meta l4proto udp masquerade to :$1
	$R nft add rule ip nat post masquerade
}

nat_setup() {
	nat_router $PUB
	$R nft add table ip nat
	$R nft add chain ip nat post '{ type nat hook postrouting priority srcnat; }'
	r_masquerade 20000-29999
	head -c $DATA_SIZE /dev/urandom > $DATA
}

diagnose_ike() {
	set +e
	trap - ERR
	local ns
	for ns in a b c; do
		[ -f $IKE_DIR/$ns/iked.log ] || continue
		echo "--- nfsec-iked in $ns:"; tail -40 $IKE_DIR/$ns/iked.log
		echo "--- nfsec tunnel show in $ns:"; tunnel $ns tunnel show
		echo "--- nfsec in $ns:"; nsenter --net=/run/netns/$ns nfsec sa show
		nsenter --net=/run/netns/$ns nfsec stats | grep -v ' 0$'
	done
	for ns in a b e; do
		[ -f $IKE_DIR/$ns/charon.log ] || continue
		echo "--- charon in $ns:"
		grep -E "\[(IKE|ENC|NET|KNL)\]" $IKE_DIR/$ns/charon.log |
			grep -v "^ *[0-9]*\[...\]  " | tail -40
		swanctl $ns --list-sas
	done
	echo "--- r's conntrack:"; $R conntrack -L 2> /dev/null | head -20
	dmesg | tail -20
}

# charon_in NS LOCAL REMOTE LOCAL_TS REMOTE_TS CONN CHILD: charon in NS with connection
# "nfsec" (its IDs its own address and the address it sees the peer at).
charon_in() {
	swanctl_conf "$1" "$2" "$3" "$4" "$5" "$6" "$7" sesame
	charon_start "$1" "$1"
	swanctl_load "$1"
}

# nfsec in a behind r to charon in b: charon names a by r's address, and so does a's ID.
NAT_A="local 192.168.1.1 remote 203.0.113.2 local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24
	local-id $PUB auth psk psk sesame"

# r's outer link, as r sends it out towards b (OUTER_PID: tcpdump's; its output away
# from the case's, whose end run_case waits for).
OUTER_PID=""
outer_start() {
	$R timeout 120 tcpdump -i vrb -Q out -n -U --immediate-mode -w $IKE_DIR/outer.pcap \
		> /dev/null 2> $IKE_DIR/outer.err &
	OUTER_PID=$!
	wait_until 120 "tcpdump on r's outer link" grep -q listening $IKE_DIR/outer.err
}

# outer_check: what r sent b was UDP (IKE and ESP in it), never ESP itself.
outer_check() {
	local esp udp
	sleep 0.5
	kill $OUTER_PID
	wait $OUTER_PID || true
	OUTER_PID=""
	esp=$(tcpdump -r $IKE_DIR/outer.pcap -n 'ip proto 50' 2> /dev/null | wc -l)
	udp=$(tcpdump -r $IKE_DIR/outer.pcap -n 'udp port 4500' 2> /dev/null | wc -l)
	echo "r's outer link: $udp UDP 4500 datagrams, $esp ESP packets"
	expect_eq "ESP (protocol 50) on r's outer link" "$esp" 0
	[ "$udp" -gt 10 ] || fail "only $udp datagrams to UDP 4500 on r's outer link"
}

# charon_nat NS WHO [MODE]: charon in NS logged that WHO ("local" or "remote") host is
# behind a NAT, lists its IKE SA on port 4500 and its CHILD SA in UDP (MODE: TUNNEL).
charon_nat() {
	swanctl "$1" --list-sas > $IKE_DIR/$1/sas.txt
	cat $IKE_DIR/$1/sas.txt
	grep -q "$2 host is behind NAT" $IKE_DIR/$1/charon.log ||
		fail "charon did not find the $2 host behind a NAT"
	grep -q "ESTABLISHED" $IKE_DIR/$1/sas.txt || fail "charon shows no IKE SA up"
	grep -q "local .* @ .*\[4500\]" $IKE_DIR/$1/sas.txt || fail "charon's IKE is not on 4500"
	grep -q "INSTALLED, ${3:-TUNNEL}-in-UDP" $IKE_DIR/$1/sas.txt ||
		fail "charon shows no ${3:-TUNNEL} mode CHILD SA in UDP"
}

# to_charon MODE_WORDS CONN CHILD: nfsec in a behind r initiates to charon in b; the
# first ping brings it up, traffic both ways, each end reports the NAT, r's outer link
# UDP only.
to_charon() {
	charon_in b 203.0.113.2 $PUB 10.0.2.0/24 10.0.1.0/24 "$2" "$3"
	iked_start a $NAT_A $1
	outer_start
	ike_traffic
	outer_check
	shows a "nat: local behind NAT, peer not (UDP 4500 -> 4500)"
	charon_nat b remote
	grep -q "NAT detected: local behind NAT, peer not" $IKE_DIR/a/iked.log ||
		fail "nfsec-iked did not log the NAT"
	expect_eq "a's outbound SA" "$($A nfsec -j sa show |
		jq -r '.[] | select(.dir == "out") | "\(.encap.sport) \(.encap.dport)"')" \
		"4500 4500"
}

case_main_psk() {
	to_charon "ike aes128-sha256-modp2048 esp aes128gcm16" \
		"proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
}

case_aggressive_pfs() {
	to_charon "mode aggressive ike aes128-sha256-modp2048 esp aes128-sha256 pfs modp2048" \
		"aggressive = yes
			proposals = aes128-sha256-modp2048" "esp_proposals = aes128-sha256-modp2048"
}

# from_charon [CONN CHILD NFSEC_WORDS]: charon in a, behind r, brings the tunnel up with
# nfsec in b, a remote %any tunnel (by default main mode, no PFS).
from_charon() {
	charon_in a 192.168.1.1 203.0.113.2 10.0.1.0/24 10.0.2.0/24 \
		"${1:-proposals = aes128-sha256-modp2048}" "${2:-esp_proposals = aes128gcm16}"
	iked_start b local 203.0.113.2 remote %any local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24 \
		auth psk psk sesame ike aes128-sha256-modp2048 esp aes128gcm16 ${3:-}
	swanctl a --initiate --child net > $IKE_DIR/a/initiate.txt 2>&1 ||
		{ cat $IKE_DIR/a/initiate.txt; fail "charon could not bring the tunnel up"; }
	sas_are b 2
}

# charon in a, behind r, initiates; nfsec in b answers as a remote %any tunnel, and sends
# its ESP in UDP to the port the NAT chose for charon's 4500.
case_responder() {
	local port
	from_charon
	port=$($B nfsec -j sa show | jq -r '.[] | select(.dir == "out") | .encap.dport')
	echo "nfsec sends ESP in UDP to $PUB port $port"
	[ "$port" -ge 20000 ] && [ "$port" -le 29999 ] ||
		fail "b's outbound SA goes to port $port, not one r chose"
	expect_eq "b's inbound SA's ports" "$($B nfsec -j sa show |
		jq -r '.[] | select(.dir == "in") | "\(.src) \(.encap.sport) \(.encap.dport)"')" \
		"$PUB $port 4500"
	shows b "peer $PUB port $port: up"
	shows b "nat: peer behind NAT, local not (UDP 4500 -> $port)"
	$A ping -c 3 -i 0.2 -W 2 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b"
	$B ping -c 3 -i 0.2 -W 2 -I 10.0.2.1 10.0.1.1 > /dev/null || fail "ping b -> a"
	tcp_check a 10.0.1.1 b 10.0.2.1
	tcp_check b 10.0.2.1 a 10.0.1.1
	charon_nat a local
}

case_rekey() {
	charon_in b 203.0.113.2 $PUB 10.0.2.0/24 10.0.1.0/24 \
		"proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16-modp2048
				rekey_time = 0"
	iked_start a $NAT_A ike aes128-sha256-modp2048 esp aes128gcm16 pfs modp2048 $IKE_REKEY
	ike_traffic
	rekey_traffic
	shows a "nat: local behind NAT, peer not"
	charon_nat b remote
}

# keepalives CAPTURE: tcpdump on r's outer link until six NAT keepalives (UDP 4500, one
# byte) went out to b.
keepalives_start() {
	$R timeout 60 tcpdump -i vrb -Q out -n -U --immediate-mode -c 6 -w $IKE_DIR/ka.pcap \
		'udp dst port 4500 and udp[4:2] = 9 and udp[8] = 0xff' > /dev/null \
		2> $IKE_DIR/ka.err &
	KA_PID=$!
	wait_until 120 "tcpdump for keepalives" grep -q listening $IKE_DIR/ka.err
}

case_keepalive() {
	$R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=5 \
		net.netfilter.nf_conntrack_udp_timeout_stream=5
	charon_in b 203.0.113.2 $PUB 10.0.2.0/24 10.0.1.0/24 \
		"aggressive = yes
			proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16"
	iked_start a $NAT_A mode aggressive ike aes128-sha256-modp2048 esp aes128gcm16 \
		nat-keepalive 2
	ike_up
	shows a "nat: local behind NAT, peer not"
	charon_nat b remote
	keepalives_start
	# idle: nothing but keepalives crosses r for 12 s, beyond its 5 s timeout
	wait_until 40 "six keepalives from a" eval '! kill -0 $KA_PID 2> /dev/null'
	wait $KA_PID || fail "tcpdump saw fewer than six keepalives"
	$B ping -c 3 -i 0.2 -W 2 -I 10.0.2.1 10.0.1.1 > /dev/null ||
		fail "b's pings no longer reach a: the mapping was lost"
	$R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=30 \
		net.netfilter.nf_conntrack_udp_timeout_stream=120
}

# a_forgotten: r holds no mapping of a's UDP 4500 any more.
a_forgotten() { ! $R grep -q "src=192.168.1.1 dst=203.0.113.2 sport=4500" /proc/net/nf_conntrack; }

# b_moved PORT: b's outbound SA goes to a port other than PORT, and a ping from a passes
# (its ESP, from r's new mapping, is what shows b the move).
b_moved() {
	$A ping -c 1 -W 1 -I 10.0.1.1 10.0.2.1 > /dev/null 2>&1 &&
		[ "$($B nfsec -j sa show | jq -r '.[] | select(.dir == "out") | .encap.dport')" != "$1" ]
}

case_rebind() {
	local old new
	# short timeouts from the start: an entry keeps the deadline it was last given
	$R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2 \
		net.netfilter.nf_conntrack_udp_timeout_stream=2
	from_charon "aggressive = yes
			proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16-modp2048" \
		"mode aggressive pfs modp2048"
	charon_nat a local
	$A ping -c 2 -i 0.2 -W 2 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b"
	old=$($B nfsec -j sa show | jq -r '.[] | select(.dir == "out") | .encap.dport')
	# r maps anew from 30000 up, once a's old mapping has gone quiet and expired
	r_masquerade 30000-39999
	wait_until 30 "r forgetting a's mapping" a_forgotten
	# The new mapping lives long enough for the checks below: with 2 s, a guest slowed by
	# the other beside it let it expire before b's pings, which r then had no mapping for.
	$R sysctl -qw net.netfilter.nf_conntrack_udp_timeout=30 \
		net.netfilter.nf_conntrack_udp_timeout_stream=120
	wait_until 30 "b's SAs following a to its new port" b_moved "$old"
	new=$($B nfsec -j sa show | jq -r '.[] | select(.dir == "out") | .encap.dport')
	echo "a's port on r: $old, then $new"
	[ "$new" -ge 30000 ] || fail "b's SAs went to port $new, not r's new range"
	grep -q "the peer's NAT mapping moved: $PUB port $new" $IKE_DIR/b/iked.log ||
		fail "nfsec-iked did not log the move"
	expect_eq "phase 1s in b" "$(grep -c "phase 1 established" $IKE_DIR/b/iked.log)" 1
	shows b "nat: peer behind NAT, local not (UDP 4500 -> $new)"
	$B ping -c 3 -i 0.2 -W 2 -I 10.0.2.1 10.0.1.1 > /dev/null || fail "ping b -> a, moved"
	tcp_check a 10.0.1.1 b 10.0.2.1
	r_masquerade 20000-29999
}

# s and c: c behind s, which masquerades what c sends and forwards UDP 500 and 4500 from
# its outer address to c.
behind_s() {
	local S="nsenter --net=/run/netns/s"
	host_behind r s 198.51.100.2 198.51.100.254 24
	host_behind s c 192.168.2.1 192.168.2.254 24 "" 10.0.3.1/24
	$S sysctl -qw net.ipv4.ip_forward=1
	$S nft -f - <<-EOF
	table ip nat {
		chain pre {
			type nat hook prerouting priority dstnat;
			iifname "vs" udp dport { 500, 4500 } dnat to 192.168.2.1
		}
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "vs" masquerade
		}
	}
	EOF
}

case_nfsec_nfsec() {
	local port P="mode aggressive ike aes128-sha256-modp2048 esp aes128gcm16 pfs modp2048"
	iked_start b local 203.0.113.2 remote %any local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24 \
		auth psk psk sesame $P
	iked_start a $NAT_A $P
	outer_start
	ike_traffic
	outer_check
	port=$($B nfsec -j sa show | jq -r '.[] | select(.dir == "out") | .encap.dport')
	[ "$port" -ge 20000 ] && [ "$port" -le 29999 ] ||
		fail "b's outbound SA goes to port $port, not one r chose"
	shows a "nat: local behind NAT, peer not (UDP 4500 -> 4500)"
	shows b "nat: peer behind NAT, local not (UDP 4500 -> $port)"
	grep -q "phase 1 established .*aggressive mode" $IKE_DIR/b/iked.log ||
		fail "b's phase 1 was not aggressive mode"
}

case_both_nat() {
	local C="nsenter --net=/run/netns/c" P="auth psk psk sesame ike aes128-sha256-modp2048"
	behind_s
	mkdir -p $IKE_DIR/c
	echo "tunnel t local 192.168.2.1 remote 198.51.100.254 local-ts 10.0.3.0/24" \
		"remote-ts 10.0.1.0/24 local-id fqdn:c.example remote-id fqdn:a.example $P" \
		"esp aes128gcm16 auto none" > $IKE_DIR/c/iked.conf
	iked_run c
	iked_start a local 192.168.1.1 remote 198.51.100.2 local-ts 10.0.1.0/24 \
		remote-ts 10.0.3.0/24 local-id fqdn:a.example remote-id fqdn:c.example $P \
		esp aes128gcm16
	ike_up a 10.0.1.1 10.0.3.1
	$A ping -c 3 -i 0.2 -W 2 -I 10.0.1.1 10.0.3.1 > /dev/null || fail "ping a -> c"
	$C ping -c 3 -i 0.2 -W 2 -I 10.0.3.1 10.0.1.1 > /dev/null || fail "ping c -> a"
	tcp_check a 10.0.1.1 c 10.0.3.1
	tcp_check c 10.0.3.1 a 10.0.1.1
	shows a "nat: both behind NAT"
	shows c "nat: both behind NAT"
}

# e behind r beside a: e's ve 192.168.3.1/24 to r's vre 192.168.3.254/24 (e's default
# route), e's inner 10.0.4.1/24, which b routes via PUB. r masquerades e as it does a.
behind_r() {
	host_behind r e 192.168.3.1 192.168.3.254 24 "" 10.0.4.1/24
	$B ip route add 10.0.4.0/24 via $PUB
	# what goes back to e is not translated either
	$R nft insert rule ip nat post oifname "vre" return
}

# out_dports: the destination ports of b's outbound SAs, one a line, sorted.
out_dports() {
	$B nfsec -j sa show | jq -r '.[] | select(.dir == "out") | .encap.dport' | sort -n
}

# Two road warriors behind one NAT, charon in a and in e, to nfsec in b (remote %any):
# one peer each, told apart by the port r gave each; one's end leaves the other up.
case_two_rw() {
	local E="nsenter --net=/run/netns/e" ports
	behind_r
	charon_in a 192.168.1.1 203.0.113.2 10.0.1.0/24 10.0.2.0/24 \
		"proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16-modp2048"
	charon_in e 192.168.3.1 203.0.113.2 10.0.4.0/24 10.0.2.0/24 \
		"proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16-modp2048"
	iked_start b local 203.0.113.2 remote %any local-ts 10.0.2.0/24 \
		remote-ts 10.0.1.0/24,10.0.4.0/24 auth psk psk sesame \
		ike aes128-sha256-modp2048 esp aes128gcm16 pfs modp2048
	for ns in a e; do
		swanctl $ns --initiate --child net > $IKE_DIR/$ns/initiate.txt 2>&1 ||
			{ cat $IKE_DIR/$ns/initiate.txt; fail "charon in $ns could not bring its tunnel up"; }
	done
	sas_are b 4
	ports=$(out_dports)
	echo "nfsec sends ESP in UDP to $PUB ports" $ports
	expect_eq "b's outbound SAs' destinations" "$($B nfsec -j sa show |
		jq -r '[.[] | select(.dir == "out") | .dst] | unique | join(" ")')" "$PUB"
	expect_eq "distinct ports of b's outbound SAs" "$(uniq <<< "$ports" | wc -l)" 2
	for p in $ports; do
		[ "$p" -ge 20000 ] && [ "$p" -le 29999 ] ||
			fail "b's outbound SA goes to port $p, not one r chose"
		shows b "peer $PUB port $p: up"
	done
	shows b "peers: 2 of 2 up"
	$A ping -c 3 -i 0.2 -W 2 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b"
	$E ping -c 3 -i 0.2 -W 2 -I 10.0.4.1 10.0.2.1 > /dev/null || fail "ping e -> b"
	$B ping -c 3 -i 0.2 -W 2 -I 10.0.2.1 10.0.1.1 > /dev/null || fail "ping b -> a"
	$B ping -c 3 -i 0.2 -W 2 -I 10.0.2.1 10.0.4.1 > /dev/null || fail "ping b -> e"
	tcp_check a 10.0.1.1 b 10.0.2.1
	tcp_check b 10.0.2.1 e 10.0.4.1
	charon_nat a local
	charon_nat e local
	# e's charon ends its IKE SA (and with it its CHILD SA): e's peer goes, a's stays
	swanctl e --terminate --ike nfsec > /dev/null 2>&1 || fail "swanctl e --terminate"
	sas_are b 2
	shows b "peers: 1 of 1 up"
	$A ping -c 3 -i 0.2 -W 2 -I 10.0.1.1 10.0.2.1 > /dev/null || fail "ping a -> b, e gone"
	$B ping -c 3 -i 0.2 -W 2 -I 10.0.2.1 10.0.1.1 > /dev/null || fail "ping b -> a, e gone"
}

# A road warrior in transport mode behind r: charon in a to nfsec in b, remote %any.
case_transport_rw() {
	local port
	charon_in a 192.168.1.1 203.0.113.2 dynamic dynamic \
		"aggressive = yes
			proposals = aes128-sha256-modp2048" "esp_proposals = aes128gcm16
					mode = transport"
	iked_start b local 203.0.113.2 remote %any encap transport auth psk psk sesame \
		mode aggressive ike aes128-sha256-modp2048 esp aes128gcm16
	swanctl a --initiate --child net > $IKE_DIR/a/initiate.txt 2>&1 ||
		{ cat $IKE_DIR/a/initiate.txt; fail "charon could not bring the tunnel up"; }
	sas_are b 2
	$B nfsec sa show
	expect_eq "b's SAs' mode" "$($B nfsec -j sa show |
		jq -r '[.[] | .mode] | unique | join(" ")')" transport
	port=$($B nfsec -j sa show | jq -r '.[] | select(.dir == "out") | .encap.dport')
	expect_eq "b's outbound SA" "$($B nfsec -j sa show |
		jq -r '.[] | select(.dir == "out") | "\(.dst) \(.encap.sport)"')" "$PUB 4500"
	[ "$port" -ge 20000 ] && [ "$port" -le 29999 ] ||
		fail "b's outbound SA goes to port $port, not one r chose"
	shows b "peer $PUB port $port: up"
	$A ping -c 3 -i 0.2 -W 2 203.0.113.2 > /dev/null || fail "ping a -> b"
	$B ping -c 3 -i 0.2 -W 2 $PUB > /dev/null || fail "ping b -> a"
	tcp_check a 192.168.1.1 b 203.0.113.2
	[ "$($B nfsec -j stats | jq .in_packets)" -gt 10 ] || fail "nfsec in b decrypted nothing"
	charon_nat a local TRANSPORT
	shows b "nat: peer behind NAT, local not (UDP 4500 -> $port)"
}

if [ "${1:-}" = case ]; then
	trap 'st=$?; [ $st -eq 0 ] || diagnose_ike; iked_stop_all || st=1; charon_stop_all || st=1;
		[ -z "$OUTER_PID" ] || kill $OUTER_PID 2> /dev/null;
		for ns in a b; do nsenter --net=/run/netns/$ns nfsec -batch - <<< "$FLUSH_A";
		ip -n $ns -batch - <<< "$FLUSH_B"; done; cleanup; exit $st' EXIT
	rm -rf $IKE_DIR
	mkdir -p $IKE_DIR
	"case_$2"
	exit 0
fi

module_load
nat_setup
failed=()
# rebind last: r's mapping of a's 4500 from its other port range outlives the case (a
# later case from a would come from that range).
for c in ${IKE_ONLY:-main_psk aggressive_pfs responder rekey keepalive nfsec_nfsec both_nat \
	two_rw transport_rw rebind}; do
	run_case "${c//_/-}" bash "$0" case "$c" || failed+=("$c")
done
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
