#!/bin/bash
# Policies through `nfsec policy`: add, show (text and JSON), get, delete, flush; refusals
# that change nothing; a dump of hundreds (several netlink messages); per-namespace SPDs;
# nothing, reads included, without CAP_NET_ADMIN.
. "$(dirname "$0")/lib.sh"

module_load
nfsec policy flush
count() { nfsec -j policy show "$@" | jq length; }

nfsec policy add dir out action bypass priority 10 src 10.0.0.7/24 dst 10.1.0.0/16 \
	proto tcp dport 443
nfsec policy add dir in action discard src fd00::/64 proto udp sport 500-501
expect_eq "policies after two adds" "$(count)" 2
json=$(nfsec -j policy show dir out)
expect_eq "out policies" "$(jq length <<< "$json")" 1
expect_eq "src masked" "$(jq -r '.[0].src' <<< "$json")" 10.0.0.0/24
expect_eq "action" "$(jq -r '.[0].action' <<< "$json")" bypass
expect_eq "dport" "$(jq -c '.[0].dport' <<< "$json")" '[443,443]'
nfsec policy show | grep -q 'dir in .*action discard src fd00::/64' || fail "text show"
index=$(jq '.[0].index' <<< "$json")
expect_eq "get by index" "$(nfsec -j policy get index "$index" | jq -r '.priority')" 10

# Refusals name the problem and change nothing.
if nfsec policy add dir out action bypass priority 10 src 10.0.0.0/24 dst 10.1.0.0/16 \
	proto tcp dport 443 2> /tmp/err; then
	fail "duplicate policy accepted"
fi
grep -q 'exists' /tmp/err || fail "duplicate: $(cat /tmp/err)"
if nfsec policy add dir sideways 2> /tmp/err; then fail "bad direction accepted"; fi
grep -q 'sideways' /tmp/err || fail "bad direction: $(cat /tmp/err)"
if nfsec policy add dir out src 10.0.0.0/33 2> /tmp/err; then fail "bad prefix accepted"; fi
grep -q '10.0.0.0/33' /tmp/err || fail "bad prefix: $(cat /tmp/err)"
if nfsec policy delete index 999999 2> /tmp/err; then fail "deleted a missing index"; fi
grep -q 'no policy has this index' /tmp/err || fail "missing index: $(cat /tmp/err)"
expect_eq "policies after refusals" "$(count)" 2

# Without CAP_NET_ADMIN nothing is allowed, reading included (SPIs, peers and flows are
# no business of an unprivileged user), and the tool says why in one line.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
for cmd in "policy show" "policy get index $index" "sa show" "stats" "version"; do
	if nobody "$NFSEC" $cmd > /dev/null 2> /tmp/err; then
		fail "unprivileged $cmd accepted"
	fi
	grep -q 'needs CAP_NET_ADMIN' /tmp/err || fail "unprivileged $cmd: $(cat /tmp/err)"
done
if nobody timeout 5 "$NFSEC" monitor > /dev/null 2> /tmp/err; then
	fail "unprivileged monitor accepted"
fi
grep -Eq 'needs? CAP_NET_ADMIN' /tmp/err || fail "unprivileged monitor: $(cat /tmp/err)"
if nobody "$NFSEC" policy add dir out action discard 2> /tmp/err; then
	fail "unprivileged add accepted"
fi
grep -qi 'not permitted' /tmp/err || fail "unprivileged add: $(cat /tmp/err)"
if nobody "$NFSEC" policy flush 2> /dev/null; then fail "unprivileged flush accepted"; fi
expect_eq "policies after unprivileged tries" "$(count)" 2

# Each namespace has its own SPD.
netns_add a
expect_eq "policies seen from ns a" "$(ip netns exec a nfsec -j policy show | jq length)" 0
ip netns exec a nfsec policy add dir fwd action discard
expect_eq "policies in ns a" "$(ip netns exec a nfsec -j policy show | jq length)" 1
expect_eq "policies in root after ns a's add" "$(count)" 2

# Hundreds of policies: the dump spans several messages and loses none.
# (One process adds them: nfsec -batch, a command a line.)
for i in $(seq 1 300); do
	echo "policy add dir out action bypass src 10.2.$((i / 256)).$((i % 256)) dst any"
done > /tmp/adds
nfsec -batch /tmp/adds
expect_eq "policies after 300 adds" "$(count)" 302
expect_eq "distinct indexes" "$(nfsec -j policy show | jq '[.[].index] | unique | length')" 302
nfsec policy delete index "$index"
expect_eq "policies after delete" "$(count)" 301
nfsec policy flush dir in
expect_eq "policies after flush in" "$(count)" 300
nfsec policy flush
expect_eq "policies after flush" "$(count)" 0

# A batch sends a run of adds as few requests (nfsec_policy_queue()), yet stops where one
# line alone would: at a duplicate only the kernel refuses, line 300, in the second request
# of the run, with the message of the add alone and exactly the 299 lines before installed;
# at a line the tool refuses, line 51, with the 50 queued before it installed.
for i in $(seq 1 400); do
	echo "policy add dir out action bypass src 10.3.$((i / 256)).$((i % 256)) dst any"
	if [ "$i" -eq 299 ]; then echo "policy add dir out action bypass src 10.3.0.5 dst any"; fi
done > /tmp/adds
if nfsec -batch /tmp/adds 2> /tmp/err; then fail "batch with a duplicate accepted"; fi
nfsec policy add dir out action bypass src 10.3.0.5 dst any 2> /tmp/err1 || :
expect_eq "batch duplicate message" "$(cat /tmp/err)" \
	"nfsec: /tmp/adds:300: $(sed 's/^nfsec: //' /tmp/err1)"
expect_eq "policies before the duplicate" "$(count)" 299
nfsec policy flush
head -n 50 /tmp/adds > /tmp/adds2
echo "policy add dir sideways" >> /tmp/adds2
tail -n 10 /tmp/adds >> /tmp/adds2
if nfsec -batch /tmp/adds2 2> /tmp/err; then fail "batch with a bad line accepted"; fi
grep -q '^nfsec: /tmp/adds2:51: .*sideways' /tmp/err || fail "batch bad line: $(cat /tmp/err)"
expect_eq "policies before the bad line" "$(count)" 50
nfsec policy flush

# Unloading with policies installed (here and in ns a) frees them all.
nfsec policy add dir out action bypass
module_unload
