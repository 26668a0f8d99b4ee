#!/bin/bash
# `nfsec monitor` sees every policy change of its namespace, in order, and none of another.
. "$(dirname "$0")/lib.sh"

module_load
nfsec policy flush
netns_add mon
out=/tmp/monitor.json
nfsec -j monitor > "$out" &
mon=$!
trap 'kill $mon 2>/dev/null || true; cleanup' EXIT

# The monitor is listening once a flush shows up in its output.
for i in $(seq 1 50); do
	nfsec policy flush dir fwd
	grep -q '"dir":"fwd"' "$out" && break
	sleep 0.2
done
grep -q '"dir":"fwd"' "$out" || fail "the monitor never saw an event"
: > "$out.mark"
start=$(wc -l < "$out")

nfsec policy add dir out action bypass src 10.9.0.0/16 proto udp dport 4500
index=$(nfsec -j policy show | jq '.[0].index')
ip netns exec mon nfsec policy add dir out action discard src 10.99.0.0/16
nfsec policy delete index "$index"
nfsec policy flush dir in
nfsec policy flush
sleep 1
kill -TERM $mon
wait $mon || fail "monitor exited with $? on SIGTERM"

events=$(tail -n +$((start + 1)) "$out")
echo "$events"
expect_eq "event count" "$(wc -l <<< "$events")" 4
expect_eq "1st event" "$(sed -n 1p <<< "$events" | jq -r '.event + " " + .policy.src')" \
	"policy-add 10.9.0.0/16"
expect_eq "1st event dport" "$(sed -n 1p <<< "$events" | jq -c '.policy.dport')" "[4500,4500]"
expect_eq "2nd event" "$(sed -n 2p <<< "$events" | jq -r '.event + " " + (.policy.index|tostring)')" \
	"policy-del $index"
expect_eq "3rd event" "$(sed -n 3p <<< "$events" | jq -c '.')" '{"event":"policy-flush","dir":"in"}'
expect_eq "4th event" "$(sed -n 4p <<< "$events" | jq -c '.')" '{"event":"policy-flush"}'
grep -q '10.99.0.0' "$out" && fail "saw an event of another namespace"

# Text output, one line per event.
nfsec monitor > /tmp/monitor.txt &
mon=$!
for i in $(seq 1 50); do
	nfsec policy flush dir fwd
	grep -q 'policy flush dir fwd' /tmp/monitor.txt && break
	sleep 0.2
done
nfsec policy add dir in action discard src fd00::/64
sleep 1
kill -INT $mon
wait $mon || fail "monitor exited with $? on SIGINT"
grep -q '^policy add index [0-9]* dir in .*action discard src fd00::/64' /tmp/monitor.txt ||
	fail "text event: $(cat /tmp/monitor.txt)"
nfsec policy flush
module_unload
