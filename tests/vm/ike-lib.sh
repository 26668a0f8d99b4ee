# strongSwan's charon as the IKE peer, for the IKE tests: sourced after lib.sh and
# esp-lib.sh (the namespaces a and b, nfsec in a, the peer in b).
#
#   charon_start NS NAME     charon in namespace NS with its own strongswan.conf, vici
#                            socket, log and /run (a private mount namespace), so that
#                            several can run in one guest; swanctl_load NAME loads
#                            $IKE_DIR/NAME/swanctl.conf into it.
#   swanctl NAME ARGS...     swanctl against that charon
#   charon_stop NAME

IKE_DIR=/tmp/ike
CHARON=/usr/lib/ipsec/charon
CHARONS=()

charon_conf() {  # charon_conf NAME: its strongswan.conf
	local d=$IKE_DIR/$1
	mkdir -p "$d"
	cat > "$d/strongswan.conf" <<-EOF
	charon {
		load_modular = yes
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
	# A /run of its own: charon keeps its pid file there.
	ip netns exec "$ns" unshare -m sh -c \
		"mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=$d/strongswan.conf exec $CHARON" \
		> "$d/charon.out" 2>&1 &
	CHARONS+=($!)
	for _ in $(seq 1 100); do
		[ -S "$d/charon.vici" ] && return 0
		sleep 0.1
	done
	cat "$d/charon.out" "$d/charon.log" 2> /dev/null
	fail "charon $name did not start"
}

swanctl() {  # swanctl NAME COMMAND ARGS...: the command must come first
	local name=$1 cmd=$2
	shift 2
	command swanctl "$cmd" --uri "unix://$IKE_DIR/$name/charon.vici" "$@"
}

swanctl_load() {  # swanctl_load NAME
	swanctl "$1" --load-all --file "$IKE_DIR/$1/swanctl.conf" > "$IKE_DIR/$1/load.out" 2>&1 ||
		{ cat "$IKE_DIR/$1/load.out"; fail "swanctl --load-all for $1"; }
}

charon_stop_all() {
	[ ${#CHARONS[@]} -eq 0 ] && return
	kill "${CHARONS[@]}" 2> /dev/null || true
	wait "${CHARONS[@]}" 2> /dev/null || true
	CHARONS=()
}

# swanctl_conf NAME LOCAL REMOTE LOCAL_TS REMOTE_TS EXTRA_CONN EXTRA_CHILD [PSK]: an IKEv1
# connection "nfsec" with one child "net" ($IKE_DIR/NAME/swanctl.conf).
swanctl_conf() {
	local name=$1 local=$2 remote=$3 lts=$4 rts=$5 conn=$6 child=$7 psk=${8:-}
	mkdir -p "$IKE_DIR/$name"
	cat > "$IKE_DIR/$name/swanctl.conf" <<-EOF
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
