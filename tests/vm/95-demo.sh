#!/bin/bash
# vm: stock kernel only (what the demo shows is the product, not the module under KASAN)
# vm: cost 3
# The demo: the five steps of IPsec between two sites, each a network namespace with the
# nfsec module and nfsec-iked (site A: a, 10.0.1.0/24 behind 192.168.1.1; site B: b,
# 10.0.2.0/24 behind 192.168.1.2; tests/vm/esp-lib.sh's topology), narrated as it goes:
#
#   1. interesting traffic  the tunnel's protect policies; the first ping raises ACQUIRE
#   2. IKE phase 1          main mode's six messages on UDP 500; the phase-1 SA
#   3. IKE phase 2          quick mode with PFS; the two ESP SAs
#   4. data transfer        pings and a TCP transfer; ESP on the wire and no cleartext
#   5. termination          a rekey before the SAs expire with no ping lost; tunnel down
#                           deletes both sides' SAs
#
# It ends with a one-screen summary and exits non-zero at the first step that fails.
# scripts/demo runs it alone in a guest; `make check` runs it as one of the VM tests.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/esp-lib.sh"
. "$(dirname "$0")/ike-lib.sh"

if [ -t 1 ]; then BOLD=$'\033[1m' DIM=$'\033[2m' OFF=$'\033[0m'; else BOLD= DIM= OFF=; fi
SUMMARY=()

step() { printf '\n%s=== Step %s%s\n' "$BOLD" "$*" "$OFF"; }
say() { printf '%s\n' "$*" | fold -s -w 92; }
# on NS ARGS...: nfsec ARGS in site NS (its daemon's control socket too), shown as typed
# there, its output indented.
on() {
	local ns=$1
	shift
	printf '%s%s# nfsec %s%s\n' "$DIM" "$ns" "$*" "$OFF"
	tunnel "$ns" "$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}
# done_step N TEXT: step N held; TEXT goes to the summary.
done_step() { SUMMARY+=("$(printf '%-22s ok   %s' "$1" "$2")"); }
# The wire: both sites' veth, what each sends, in time order, as tcpdump prints it.
wire() {
	{ tcpdump -tt -r /tmp/esp-a.pcap -n "$1"; tcpdump -tt -r /tmp/esp-b.pcap -n "$1"; } \
		2> /dev/null | sort -n -k1,1 | cut -d' ' -f2-
}
monitor_says() { grep -q "$2" "/tmp/demo-monitor-$1.txt"; }
# monitor_listens NS: a flush in NS shows in its monitor's output.
monitor_listens() {
	nsenter --net="/run/netns/$1" nfsec policy flush dir fwd && monitor_says "$1" 'flush dir fwd'
}
# soft_expires: the soft expires the two sites' modules raised, each line after its site.
soft_expires() {
	local ns
	for ns in a b; do
		grep '^expire soft' "/tmp/demo-monitor-$ns.txt" | sed "s/^/$ns: /" || true
	done
}
soft_expired() { soft_expires | grep -q .; }
# sa_ups_over N: a's daemon logged more than N phase-2 SAs up.
sa_ups_over() { [ "$(grep -c 'phase 2 SA up' $IKE_DIR/a/iked.log)" -gt "$1" ]; }

IKE_DIR=/tmp/ike-demo
rm -rf $IKE_DIR
mkdir -p $IKE_DIR
# Long enough for steps 2 to 4 on a guest: the rekey comes 15 to 30 s before the end.
WORDS="auth psk psk demo-secret mode main ike aes256-sha256-modp2048 esp aes256gcm16
pfs modp2048 lifetime 60s rekey-margin 15s"

module_load
setup

step "0: two sites"
say "Site A (namespace a) holds 10.0.1.0/24 behind its gateway 192.168.1.1, site B \
(namespace b) 10.0.2.0/24 behind 192.168.1.2. Each runs the nfsec module and the \
nfsec-iked daemon with one tunnel, t:"
echo "    tunnel t local 192.168.1.1 remote 192.168.1.2 local-ts 10.0.1.0/24" \
	"remote-ts 10.0.2.0/24" $WORDS | fold -s -w 88 | sed '2,$s/^/        /'
# Whatever step fails, the daemons and monitors go (a daemon's IKE socket holds the module).
MONITORS=()
trap 'st=$?; set +e; trap - ERR; [ ${#MONITORS[@]} -eq 0 ] || kill "${MONITORS[@]}" 2> /dev/null
	iked_stop_all || st=1; cleanup; exit $st' EXIT
for ns in a b; do
	nsenter --net="/run/netns/$ns" nfsec monitor > "/tmp/demo-monitor-$ns.txt" &
	MONITORS+=($!)
	wait_until 30 "nfsec monitor in $ns listening" monitor_listens "$ns"
done
capture_start
iked_start b $IKE_B $WORDS
iked_start a $IKE_A $WORDS

step "1: interesting traffic"
say "nfsec-iked installed the tunnel's policies in the module's SPD: traffic between the \
two networks must be protected (permit = protect, as in a crypto ACL), and nothing \
protects it yet."
on a policy show
n=$($A nfsec -j policy show | jq '[.[] | select(.action == "protect")] | length')
[ "$n" -ge 2 ] || fail "a holds $n protect policies"
say "The first ping from 10.0.1.1 to 10.0.2.1 finds no SA: the module holds it and \
raises ACQUIRE, which nfsec-iked hears and starts IKE. What nfsec monitor printed:"
$A ping -c 1 -W 1 -I 10.0.1.1 10.0.2.1 > /dev/null 2>&1 || true
wait_until 30 "an ACQUIRE in a" monitor_says a '^acquire'
grep '^acquire' /tmp/demo-monitor-a.txt | sed -n 1,1p | sed 's/^/    /'
done_step "1 interesting traffic" "$n protect policies; ACQUIRE for 10.0.1.1 -> 10.0.2.1"

step "2: IKE phase 1 (main mode)"
ike_up
say "Main mode: six messages on UDP 500 (SA proposal and choice, Diffie-Hellman \
exchange with nonces, then the identities and hashes, encrypted):"
wire 'udp port 500' | grep 'phase 1' | sed 's/^/    /'
n=$(wire 'udp port 500' | grep -c 'phase 1 [IR?] ident' || true)
expect_eq "main mode messages on the wire" "$n" 6
on a tunnel show t
shows a ESTABLISHED > /dev/null
done_step "2 IKE phase 1" "main mode, 6 messages, PSK, aes256-sha256-modp2048"

step "3: IKE phase 2 (quick mode, PFS)"
say "Quick mode, protected by phase 1: three messages, with a new Diffie-Hellman \
exchange (PFS, modp2048), makes one ESP SA each way for the proxy IDs 10.0.1.0/24 <-> \
10.0.2.0/24:"
wire 'udp port 500' | grep 'oakley-quick' | sed 's/^/    /'
n=$(wire 'udp port 500' | grep -c 'oakley-quick' || true)
[ "$n" -ge 3 ] || fail "quick mode: $n messages on the wire"
on a sa show
sas_are a 2
sas_are b 2
grep 'phase 2 SA up' $IKE_DIR/a/iked.log | sed 's/^/    a: /'
grep -q 'phase 2 SA up: .*modp2048' $IKE_DIR/a/iked.log || fail "no PFS group in a's phase 2"
done_step "3 IKE phase 2" "quick mode with PFS (modp2048), 2 ESP SAs each side"

step "4: data transfer"
say "Pings both ways and 512 KiB over TCP from site A to site B:"
$A ping -c 3 -i 0.2 -W 2 -I 10.0.1.1 10.0.2.1 | sed 's/^/    /'
$B ping -c 3 -i 0.2 -W 2 -I 10.0.2.1 10.0.1.1 > /dev/null || fail "ping b -> a"
tcp_check a 10.0.1.1 b 10.0.2.1
echo "    512 KiB arrived, the same SHA-256 as sent"
capture_stop
esp=$(wire esp | wc -l)
clear=$(wire 'host 10.0.1.1 or host 10.0.2.1' | wc -l)
say "On the wire between the gateways: $esp ESP packets, and $clear packets with the \
sites' addresses in clear. The first ESP packets:"
wire esp | sed -n 1,4p | sed 's/^/    /'
expect_eq "cleartext packets of the sites on the wire" "$clear" 0
[ "$esp" -gt 100 ] || fail "only $esp ESP packets"
say "Per-SA counters in site A:"
on a sa show
done_step "4 data transfer" "$esp ESP packets on the wire, 0 in clear; TCP intact"

step "5: termination"
say "The SAs live 60 s. Between 30 and 15 s before the end (a random moment, so that \
two sites seldom start at once) the module raises a soft expire and nfsec-iked makes \
the next pair with a new quick mode; the old pair goes a few seconds after. Pings, five \
a second, run across it:"
spi=$($A nfsec -j sa show | jq -r '.[] | select(.dir == "out") | .spi')
up=$(grep -c "phase 2 SA up" $IKE_DIR/a/iked.log || true)
$A ping -i 0.2 -W 2 -I 10.0.1.1 10.0.2.1 > /tmp/demo-ping.txt 2>&1 &
PING=$!
wait_until 120 "the rekey" sa_ups_over "$up"
sleep 2
kill -INT $PING
wait $PING || true
tail -n 2 /tmp/demo-ping.txt | sed 's/^/    /'
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' /tmp/demo-ping.txt)
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' /tmp/demo-ping.txt)
# SIGINT can come while the last ping is on its way: it may count as lost.
[ "$got" -ge $((sent - 1)) ] || fail "$((sent - got)) of $sent pings lost across the rekey"
# The site whose soft expire came first made the new pair; the other's SAs went by delete.
wait_until 10 "a soft expire in either site's monitor" soft_expired
soft_expires | sed -n 1,2p | sed 's/^/    monitor in /'
new=$($A nfsec -j sa show | jq -r --argjson old "$spi" \
	'.[] | select(.dir == "out" and .spi != $old) | .spi')
[ -n "$new" ] || fail "no new outbound SA in a after the rekey"
say "$(printf 'The outbound SPI went from 0x%08x to 0x%08x' "$spi" "$new"); $got of \
$sent pings answered."
say "nfsec tunnel down t in site A deletes the SAs with a delete notification to site B, \
which deletes its own; the module wipes the keys as it frees each SA:"
on a tunnel down t
sas_are a 0
sas_are b 0
wait_until 30 "b hearing the delete" grep -q -i 'delete' $IKE_DIR/b/iked.log
grep -i 'delete' $IKE_DIR/b/iked.log | tail -n 2 | sed 's/^/    b: /'
on b sa show
done_step "5 termination" "rekeyed with $got/$sent pings answered; tunnel down: 0 SAs"

kill "${MONITORS[@]}" 2> /dev/null || true
wait "${MONITORS[@]}" 2> /dev/null || true
MONITORS=()
iked_stop_all
module_unload

printf '\n%s=== Summary%s\n' "$BOLD" "$OFF"
printf '    %s\n' "${SUMMARY[@]}"
