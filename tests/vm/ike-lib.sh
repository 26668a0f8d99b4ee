# strongSwan's charon as the IKE peer, for the IKE tests: sourced after lib.sh and
# esp-lib.sh (the namespaces a and b, nfsec in a, the peer in b).
#
#   charon_start NS NAME     charon in namespace NS with its own strongswan.conf, vici
#                            socket, log and /run (a private mount namespace), so that
#                            several can run in one guest; swanctl_load NAME loads
#                            $IKE_DIR/NAME/swanctl/ (SWANCTL_DIR) into it.
#   swanctl NAME CMD ARGS... swanctl against that charon
#   charon_stop_all
#   charon_crash NS NAME     charon NAME killed, with the XFRM state of NS: a reboot
#   iked_start NS WORDS...   nfsec-iked in namespace NS with one tunnel "t" of WORDS
#   tunnel NS ARGS...        nfsec (tunnel ...) against that daemon
#   iked_stop_all
#   iked_crash NS            nfsec-iked in NS killed, with the module's SAs and policies
#                            in NS: a reboot

IKE_DIR=/tmp/ike
CHARON=/usr/lib/ipsec/charon
CHARONS=()
declare -A CHARON_OF IKED_OF

charon_conf() {  # charon_conf NAME: its strongswan.conf (plus $CHARON_OPTS in charon { })
	local d=$IKE_DIR/$1
	mkdir -p "$d"
	cat > "$d/strongswan.conf" <<-EOF
	charon {
		load_modular = yes
		${CHARON_OPTS:-}
		# the aggressive-mode case: strongSwan refuses PSK there unless told
		i_dont_care_about_security_and_use_aggressive_mode_psk = yes
		install_routes = no
		retransmit_tries = 3
		retransmit_timeout = 2
		plugins {
			include /etc/strongswan.d/charon/*.conf
			vici {
				socket = unix://$d/charon.vici
			}
		}
		filelog {
			log {
				path = $d/charon.log
				flush_line = yes
				default = 1
				ike = 2
				cfg = 2
				knl = 2
			}
		}
		syslog {
			identifier = charon-$1
		}
	}
	EOF
}

charon_start() {  # charon_start NS NAME
	local ns=$1 name=$2 d=$IKE_DIR/$2
	charon_conf "$name"
	rm -f "$d/charon.vici"
	# A /run of its own: charon keeps its pid file there.
	nsenter --net="/run/netns/$ns" unshare -m sh -c \
		"mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=$d/strongswan.conf exec $CHARON" \
		> "$d/charon.out" 2>&1 &
	CHARONS+=($!)
	CHARON_OF[$name]=$!
	# The first start loads charon's plugins and the kernel's crypto modules: minutes on
	# a guest that shares the cores with another.
	wait_until 300 "charon $name's vici socket" charon_ready "$d" "$name"
}

# charon_ready DIR NAME: charon NAME has its vici socket; says why not if it ended.
charon_ready() {
	[ -S "$1/charon.vici" ] && return 0
	kill -0 "${CHARON_OF[$2]}" 2> /dev/null && return 1
	cat "$1/charon.out" "$1/charon.log" 2> /dev/null
	fail "charon $2 did not start"
}

swanctl() {  # swanctl NAME COMMAND ARGS...: the command must come first
	local name=$1 cmd=$2
	shift 2
	command swanctl "$cmd" --uri "unix://$IKE_DIR/$name/charon.vici" "$@"
}

# swanctl_load NAME: everything of $IKE_DIR/NAME/swanctl (swanctl.conf, x509, x509ca,
# private: what swanctl_conf and swanctl_conf_cert put there) into that charon.
swanctl_load() {
	SWANCTL_DIR=$IKE_DIR/$1/swanctl swanctl "$1" --load-all > "$IKE_DIR/$1/load.out" 2>&1 ||
		{ cat "$IKE_DIR/$1/load.out"; fail "swanctl --load-all for $1"; }
}

charon_crash() {
	kill -9 "${CHARON_OF[$2]}"
	wait "${CHARON_OF[$2]}" 2> /dev/null || true
	nsenter --net="/run/netns/$1" ip xfrm state flush
	nsenter --net="/run/netns/$1" ip xfrm policy flush
}

charon_stop_all() {
	local st=0
	stop_all charon "${CHARONS[@]}" || st=1
	CHARONS=()
	return $st
}

# swanctl_conf NAME LOCAL REMOTE LOCAL_TS REMOTE_TS EXTRA_CONN EXTRA_CHILD [PSK]: an IKEv1
# connection "nfsec" with one child "net" ($IKE_DIR/NAME/swanctl/swanctl.conf).
swanctl_conf() {
	local name=$1 local=$2 remote=$3 lts=$4 rts=$5 conn=$6 child=$7 psk=${8:-}
	mkdir -p "$IKE_DIR/$name/swanctl"
	cat > "$IKE_DIR/$name/swanctl/swanctl.conf" <<-EOF
	connections {
		nfsec {
			version = 1
			local_addrs = $local
			remote_addrs = $remote
			rekey_time = 0
			$conn
			local {
				auth = psk
				id = $local
			}
			remote {
				auth = psk
				id = $remote
			}
			children {
				net {
					local_ts = $lts
					remote_ts = $rts
					$child
				}
			}
		}
	}
	secrets {
		ike-nfsec {
			id-1 = $local
			id-2 = $remote
			secret = "$psk"
		}
	}
	EOF
}

# nfsec-iked, one per namespace, each with its config, control socket and log in
# $IKE_DIR/NS/.
IKEDS=()
iked_start() {  # iked_start NS WORDS...
	local ns=$1
	shift
	mkdir -p "$IKE_DIR/$ns"
	echo "tunnel t $*" > "$IKE_DIR/$ns/iked.conf"
	iked_run "$ns"
}

# iked_run NS: nfsec-iked in NS on the configuration file written in $IKE_DIR/NS/iked.conf.
iked_run() {
	local ns=$1 d=$IKE_DIR/$1 pid
	rm -f "$d/iked.sock"
	nsenter --net="/run/netns/$ns" nfsec-iked -f -d -c "$d/iked.conf" -S "$d/iked.sock" \
		> "$d/iked.log" 2>&1 &
	pid=$!
	IKEDS+=($pid)
	IKED_OF[$ns]=$pid
	wait_until 120 "nfsec-iked's control socket in $ns" iked_ready "$d" $pid
}

# iked_caps NS: nfsec-iked in NS kept CAP_NET_ADMIN alone (effective, permitted, bounding
# set; none inheritable) and may gain no more (no_new_privs).
iked_caps() {
	local st=/proc/${IKED_OF[$1]}/status f want
	for f in CapEff:0000000000001000 CapPrm:0000000000001000 CapBnd:0000000000001000 \
		CapInh:0000000000000000 CapAmb:0000000000000000 NoNewPrivs:1; do
		want=${f#*:} f=${f%%:*}
		expect_eq "nfsec-iked's $f in $1" "$(awk -v f="$f:" '$1 == f { print $2 }' "$st")" \
			"$want"
	done
}

# iked_ready DIR PID: nfsec-iked has its control socket; says why not if it ended.
iked_ready() {
	[ -S "$1/iked.sock" ] && return 0
	kill -0 "$2" 2> /dev/null && return 1
	cat "$1/iked.log"
	fail "nfsec-iked did not start"
}

tunnel() {  # tunnel NS ARGS...
	local ns=$1
	shift
	NFSEC_IKED_SOCKET=$IKE_DIR/$ns/iked.sock nsenter --net="/run/netns/$ns" nfsec "$@"
}

iked_crash() {
	kill -9 "${IKED_OF[$1]}"
	wait "${IKED_OF[$1]}" 2> /dev/null || true
	nsenter --net="/run/netns/$1" nfsec sa flush
	nsenter --net="/run/netns/$1" nfsec policy flush
}

iked_stop_all() {
	local st=0
	stop_all nfsec-iked "${IKEDS[@]}" || st=1
	IKEDS=()
	return $st
}

# The tunnel words of each side for esp-lib.sh's topology (tunnel mode).
IKE_A="local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.1.0/24 remote-ts 10.0.2.0/24"
IKE_B="local 192.168.1.2 remote 192.168.1.1 local-ts 10.0.2.0/24 remote-ts 10.0.1.0/24"

# ike_up [NS SRC DST]: pings from SRC in NS (a: 10.0.1.1) to DST (10.0.2.1) bring the
# tunnel up: one every 0.2 s until the first answer, within 30 s (one ping process: under
# TCG a process of its own for each try costs more than the wait).
ike_up() {
	local ns=${1:-a} src=${2:-10.0.1.1} dst=${3:-10.0.2.1}
	nsenter --net="/run/netns/$ns" ping -c 1 -i 0.2 -W 1 -w 30 -I "$src" "$dst" \
		> /dev/null 2>&1 || fail "the tunnel did not come up within 30 s"
}

# ike_traffic [SRC DST]: the first ping from a's SRC (10.0.1.1) to b's DST (10.0.2.1)
# brings the tunnel up; then ping and TCP both ways between them.
ike_traffic() {
	local src=${1:-10.0.1.1} dst=${2:-10.0.2.1}
	ike_up a "$src" "$dst"
	$A ping -c 3 -i 0.2 -W 2 -I "$src" "$dst" > /dev/null || fail "ping a -> b"
	$B ping -c 3 -i 0.2 -W 2 -I "$dst" "$src" > /dev/null || fail "ping b -> a"
	tcp_check a "$src" b "$dst"
	tcp_check b "$dst" a "$src"
	[ "$($A nfsec -j stats | jq .in_packets)" -gt 10 ] || fail "nfsec in a decrypted nothing"
}

# host_traffic: ike_traffic for a transport-mode tunnel between a's and b's addresses on
# the veth.
host_traffic() {
	ike_traffic 192.168.1.1 192.168.1.2
}

# tcp_stream_start FROM SRC TO ADDR SECONDS [KIB]: one TCP connection carrying KIB (32)
# KiB a second for SECONDS; tcp_stream_check waits for its end and compares what arrived.
tcp_stream_start() {
	local from=$1 src=$2 to=$3 addr=$4 n=$5 kib=${6:-32} port=$((6000 + RANDOM % 1000))
	head -c $((n * kib * 1024)) /dev/urandom > $IKE_DIR/stream.data
	# The timeouts only bound a hang: a second of data is a few processes, and on a guest
	# sharing the cores each can take a second.
	nsenter --net="/run/netns/$to" timeout $((n * 4 + 60)) nc -l "$addr" $port \
		> $IKE_DIR/stream.recv &
	STREAM_SRV=$!
	wait_until 120 "a TCP listener on port $port in $to" listening "$to" tcp $port
	for i in $(seq 0 $((n - 1))); do
		dd if=$IKE_DIR/stream.data bs=${kib}k skip=$i count=1 2> /dev/null
		sleep 1
	done | nsenter --net="/run/netns/$from" timeout $((n * 4 + 60)) nc -N -s "$src" "$addr" \
		$port &
	STREAM_CLI=$!
}

tcp_stream_check() {
	wait $STREAM_CLI || fail "the TCP stream's sender failed"
	wait $STREAM_SRV || fail "the TCP stream's receiver failed"
	expect_eq "the TCP stream" "$(sha256sum < $IKE_DIR/stream.recv)" \
		"$(sha256sum < $IKE_DIR/stream.data)"
}

# pings_all N: N pings from a to b, five a second, every one answered.
pings_all() {
	local out sent got
	out=$($A ping -c "$1" -i 0.2 -W 2 -I 10.0.1.1 10.0.2.1 | tail -n 3)
	echo "$out"
	sent=$(echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
	got=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	expect_eq "pings answered of $sent" "$got" "$sent"
}

# rekey_traffic: 34 s of pings from a, five a second, alongside a TCP stream from a to b,
# while a's tunnel rekeys (phase 2 lives 12 s, rekeyed 5 s before its end: every 7 s;
# phase 1 22 s, renewed at 17): not one ping may be lost, the stream must arrive whole, a
# must have made five phase-2 SAs and renewed phase 1, and a few seconds later a must hold
# no SA it replaced.
IKE_REKEY="lifetime 12s rekey-margin 5s ike-lifetime 22s"
rekey_traffic() {
	local rekeys p1s
	tcp_stream_start a 10.0.1.1 b 10.0.2.1 34
	pings_all 170
	tcp_stream_check
	rekeys=$(grep -c "phase 2 SA up" $IKE_DIR/a/iked.log || true)
	p1s=$(grep -c "phase 1 established" $IKE_DIR/a/iked.log || true)
	echo "phase 2 SAs made: $rekeys, phase 1: $p1s"
	[ "$rekeys" -ge 5 ] || fail "only $rekeys phase-2 SAs in 34 s"
	[ "$p1s" -ge 2 ] || fail "phase 1 was not renewed"
	sas_settle a
}

# sas_are NS N: the module in NS holds N SAs within 30 s (at once, when it does).
sas_are() { wait_until 30 "$2 SAs in $1" sas_count_is "$1" "$2"; }
sas_count_is() { [ "$(nsenter --net="/run/netns/$1" nfsec -j sa show | jq length)" -eq "$2" ]; }

# sas_settle NS: within 12 s, a moment where the module in NS holds no more than the SA
# pair in use and one being replaced (rekeys come every 7 s or more; a replaced pair goes
# 5 s after its successor came).
sas_settle() {
	local n
	for _ in $(seq 1 24); do
		n=$(nsenter --net="/run/netns/$1" nfsec -j sa show | jq length)
		[ "$n" -le 4 ] && return 0
		sleep 0.5
	done
	fail "old SAs left in $1: $n SAs"
}

# ike_stays_down WHY: a ping from a to b starts a negotiation that fails: it gets no
# answer, nfsec in a says WHY (within 30 s), and two more pings then get none either.
ike_stays_down() {
	pings_unanswered 1
	wait_until 30 "nfsec tunnel show in a saying \"$1\"" says a "$1"
	pings_unanswered 2
}

# pings_unanswered N: N pings from a to b, none of them answered.
pings_unanswered() {
	if $A ping -c "$1" -i 0.5 -W 1 -I 10.0.1.1 10.0.2.1 > /dev/null 2>&1; then
		fail "the tunnel came up"
	fi
}

# says NS TEXT: "nfsec tunnel show" in NS says TEXT (quietly: shows prints it).
says() { tunnel "$1" tunnel show 2>&1 | grep -q "$2"; }

# dead_in_a: a's nfsec-iked declared its peer dead (dead peer detection).
dead_in_a() { grep -q "declared dead" $IKE_DIR/a/iked.log; }

# shows NS TEXT: "nfsec tunnel show" in NS says TEXT.
shows() {
	tunnel "$1" tunnel show > "$IKE_DIR/$1/show.txt" 2>&1
	cat "$IKE_DIR/$1/show.txt"
	grep -q "$2" "$IKE_DIR/$1/show.txt" || fail "nfsec tunnel show in $1 does not say \"$2\""
}

# pki_make: a CA and two hosts, moon (nfsec's side) and sun (the peer's), RSA 2048, made
# with strongSwan's pki in $IKE_DIR/pki: ca.pem, moon.pem, moon.key, sun.pem, sun.key.
PKI=$IKE_DIR/pki
pki_make() {
	local h
	mkdir -p $PKI
	exec 3>&2 2> $PKI/pki.log	# its plugin loader is chatty
	pki --gen --type rsa --size 2048 --outform pem > $PKI/ca.key
	pki --self --ca --lifetime 30 --in $PKI/ca.key --dn "C=CH, O=nfsec, CN=nfsec CA" \
		--outform pem > $PKI/ca.pem
	for h in moon sun; do
		pki --gen --type rsa --size 2048 --outform pem > $PKI/$h.key
		pki --pub --in $PKI/$h.key | pki --issue --lifetime 30 --cacert $PKI/ca.pem \
			--cakey $PKI/ca.key --dn "C=CH, O=nfsec, CN=$h" --san $h.nfsec.test \
			--outform pem > $PKI/$h.pem
	done
	exec 2>&3 3>&-
	chmod 600 $PKI/*.key	# nfsec-iked refuses a key others can read
}

# swanctl_conf_cert NAME LOCAL REMOTE LOCAL_TS REMOTE_TS CONN CHILD ME PEER: as
# swanctl_conf, authenticated by the certificates of pki_make (ME's, trusting its CA,
# expecting PEER's subject).
swanctl_conf_cert() {
	local name=$1 local=$2 remote=$3 lts=$4 rts=$5 conn=$6 child=$7 me=$8 peer=$9
	local d=$IKE_DIR/$name/swanctl
	mkdir -p "$d/x509" "$d/x509ca" "$d/private"
	cp $PKI/$me.pem "$d/x509/"
	cp $PKI/ca.pem "$d/x509ca/"
	cp $PKI/$me.key "$d/private/"
	cat > "$d/swanctl.conf" <<-EOF
	connections {
		nfsec {
			version = 1
			local_addrs = $local
			remote_addrs = $remote
			rekey_time = 0
			$conn
			local {
				auth = pubkey
				certs = $me.pem
				id = "C=CH, O=nfsec, CN=$me"
			}
			remote {
				auth = pubkey
				cacerts = ca.pem
				id = "C=CH, O=nfsec, CN=$peer"
			}
			children {
				net {
					local_ts = $lts
					remote_ts = $rts
					$child
				}
			}
		}
	}
	EOF
}
