#!/usr/bin/env bash
# The example configurations load: userspace/examples/iked.conf (installed as an example
# of /etc/nfsec/iked.conf) and docs/examples/*.iked.conf (docs/migrating.md's worked
# examples), each checked by "nfsec-iked -n", which parses it and reads every file it
# names as a start would. The files they name under /etc/nfsec are made in a scratch
# directory (PSKs; a CA, a certificate and its key made with openssl) and the paths
# rewritten to it. Then the same check must fail for a PSK file others can read and for a
# certificate that does not match its key. TAP on stdout; run by "make -C userspace check".
set -uo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/../.." && pwd)
iked=$top/userspace/nfsec-iked
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out"; }

# What the examples name, under $tmp/etc/nfsec.
etc=$tmp/etc/nfsec
mkdir -p "$etc/certs" "$etc/private"
for f in branch roadwarrior db-replica cisco; do
	head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$etc/$f.psk"
done
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/C=CH/O=Example/CN=Example CA" \
	-keyout "$tmp/ca.key" -out "$etc/certs/ca.pem" 2> "$tmp/openssl.log"
openssl req -newkey rsa:2048 -nodes -subj "/C=CH/O=Example/CN=gw1" \
	-keyout "$etc/private/gw1.key" -out "$tmp/gw1.csr" 2>> "$tmp/openssl.log"
openssl x509 -req -in "$tmp/gw1.csr" -CA "$etc/certs/ca.pem" -CAkey "$tmp/ca.key" \
	-CAcreateserial -days 30 -out "$etc/certs/gw1.pem" 2>> "$tmp/openssl.log"
chmod 600 "$etc"/*.psk "$etc/private/gw1.key"

# check NAME FILE [want-fail]: nfsec-iked -n on FILE with /etc/nfsec/ pointing at $etc.
check() {
	local name=$1 file=$2 want=${3:-ok} st
	sed "s#/etc/nfsec/#$etc/#g" "$file" > "$tmp/conf"
	"$iked" -n -c "$tmp/conf" > "$tmp/out" 2>&1
	st=$?
	if [ "$want" = ok ] && [ $st -eq 0 ] && grep -q ': OK$' "$tmp/out"; then
		ok "$name loads: $(sed -n 's/.*: \([0-9]* tunnel(s)\),.*/\1/p' "$tmp/out")"
	elif [ "$want" = fail ] && [ $st -eq 1 ]; then
		ok "$name is refused: $(tail -n 1 "$tmp/out" | sed 's/^[0-9-]* [0-9:.]* err: //')"
	else
		not_ok "$name (exit $st, wanted $want)"
	fi
}

echo "1..7"
check "userspace/examples/iked.conf" "$top/userspace/examples/iked.conf"
check "docs/examples/cisco.iked.conf" "$top/docs/examples/cisco.iked.conf"
check "docs/examples/strongswan.iked.conf" "$top/docs/examples/strongswan.iked.conf"
# every tunnel of the example is there, by name
names=$(sed -n 's/^tunnel \([^ ]*\) .*/\1/p' "$top/userspace/examples/iked.conf" | tr '\n' ' ')
sed "s#/etc/nfsec/#$etc/#g" "$top/userspace/examples/iked.conf" > "$tmp/conf"
"$iked" -n -d -c "$tmp/conf" > "$tmp/out" 2>&1
got=$(sed -n 's/.* info: \([^:]*\): added, reqid.*/\1/p' "$tmp/out" | tr '\n' ' ')
if [ "$names" = "$got" ] && [ "$names" = "branch datacenter roadwarrior db-replica cisco " ]; then
	ok "the example's five tunnels: $got"
else
	echo "# in the file: $names; added: $got" > "$tmp/out"
	not_ok "the example's tunnels"
fi
# The checks can fail: a PSK file others can read, a certificate not of its key, a word
# nfsec-iked does not know.
chmod 644 "$etc/cisco.psk"
check "the example with cisco.psk mode 0644" "$top/userspace/examples/iked.conf" fail
chmod 600 "$etc/cisco.psk"
cp "$etc/private/gw1.key" "$tmp/gw1.key"
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$etc/private/gw1.key" \
	2>> "$tmp/openssl.log"
check "the example with gw1.key not the certificate's" "$top/userspace/examples/iked.conf" fail
cp "$tmp/gw1.key" "$etc/private/gw1.key"
sed 's/ auto trap$/ auto trap perfect-forward-secrecy yes/' \
	"$top/docs/examples/cisco.iked.conf" > "$tmp/bad.conf"
check "cisco.iked.conf with a word of another product" "$tmp/bad.conf" fail
exit $failed
