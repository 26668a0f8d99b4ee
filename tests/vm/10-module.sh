#!/bin/bash
# vm: alone (loads and unloads the module)
# The module loads and answers over netlink, and `nfsec version` tells both versions; a
# request waiting in modprobe holds no other up; with the module gone the tool says so
# clearly and fails.
. "$(dirname "$0")/lib.sh"

module_load
genl ctrl get name nfsec > /dev/null || fail "genl family nfsec not registered"

want=$(cat VERSION)
json=$(nfsec -j version)
expect_eq "tool version" "$(json_get tool <<< "$json")" "$want"
expect_eq "module version" "$(json_get module <<< "$json")" "$want"
expect_eq "family version" "$(json_get family_version <<< "$json")" 1
nfsec version | grep -q "module $want" || fail "human output lacks the module version"

# A request waiting for a module holds up no other: the first SA of an algorithm whose
# crypto module is not loaded waits in modprobe (here a script that waits for a release
# file), while reads and the addition of an SA of a loaded algorithm go through. Under
# genl_mutex they would wait for the module as long as it took.
k=00112233445566778899aabbccddeeff
sa_add() {  # sa_add SPI ALG
	timeout 90 nfsec sa add spi "$1" dir out src 192.0.2.1 dst 192.0.2.2 \
		mode tunnel reqid 1 aead "$2" "0x$k$k"01020304 128
}
gone() { ! kill -0 "$1" 2> /dev/null; }
parallel_requests() {
	local dir real pid other
	dir=$(mktemp -d)
	real=$(cat /proc/sys/kernel/modprobe)
	cat > "$dir/modprobe" <<-EOS
		#!/bin/sh
		touch $dir/entered
		i=0
		while [ ! -e $dir/release ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
		exec $real "\$@"
	EOS
	chmod +x "$dir/modprobe"
	nfsec sa flush
	sa_add 0x301 gcm-aes		# gcm loaded before modprobe waits
	echo "$dir/modprobe" > /proc/sys/kernel/modprobe
	trap 'echo "$real" > /proc/sys/kernel/modprobe; touch "$dir/release"; cleanup' EXIT

	sa_add 0x302 chacha20-poly1305 &
	pid=$!
	wait_until 20 "modprobe entered for chacha20-poly1305" test -e "$dir/entered"
	# A request stuck behind genl_mutex cannot be killed: failing releases modprobe.
	others() { nfsec sa show && nfsec policy show && sa_add 0x303 gcm-aes; }
	others > "$dir/others.out" 2>&1 &
	other=$!
	wait_until 30 "sa show, policy show and sa add while another request waits" \
		gone $other
	wait $other || fail "sa show, policy show or sa add failed: $(cat "$dir/others.out")"
	kill -0 $pid || fail "the chacha20-poly1305 SA did not wait for modprobe"
	expect_eq "SAs while modprobe waits" "$(nfsec -j sa show | jq length)" 2

	touch "$dir/release"
	wait $pid || fail "the chacha20-poly1305 SA failed once modprobe ran"
	echo "$real" > /proc/sys/kernel/modprobe
	trap cleanup EXIT
	expect_eq "SAs" "$(nfsec -j sa show | jq -c '[.[].spi] | sort')" "[769,770,771]"
	nfsec sa flush
	rm -r "$dir"
}
rmmod chacha20poly1305 2> /dev/null || true
if grep -q '^name *: rfc7539esp(chacha20,poly1305)$' /proc/crypto; then
	echo "# chacha20-poly1305 is built in or in use: no module load to wait for"
else
	parallel_requests
fi

module_unload
if nfsec version > /tmp/version.out 2> /tmp/version.err; then
	fail "nfsec version succeeded without the module"
fi
grep -q "not loaded" /tmp/version.err || fail "no clear error: $(cat /tmp/version.err)"
grep -q "$want" /tmp/version.out || fail "tool version not shown without the module"
