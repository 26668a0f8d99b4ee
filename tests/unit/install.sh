#!/usr/bin/env bash
# make install and make uninstall, into a DESTDIR: every file in its place with its mode
# (the list below), the service verified by systemd-analyze, an /etc/nfsec/iked.conf that
# the administrator changed kept by a second install and by uninstall, and nothing else
# left after uninstall. TAP on stdout; run by "make -C userspace check" (it builds what
# make install needs: the module for the default KDIR, and userspace).
set -uo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out"; }
# the tree under DIR: mode and path of each file, sorted
tree() { (cd "$1" && find . -type f -printf '%m %p\n' | sort); }

echo "1..6"
dest=$tmp/dest
if ! make -s -C "$top" install DESTDIR="$dest" > "$tmp/out" 2>&1; then
	not_ok "make install DESTDIR"
	exit 1
fi
kver=$(ls "$dest/lib/modules")
tree "$dest" > "$tmp/got"
cat > "$tmp/want" <<-EOF
	600 ./etc/nfsec/iked.conf
	644 ./lib/modules/$kver/extra/nfsec.ko
	644 ./usr/local/lib/modules-load.d/nfsec.conf
	644 ./usr/local/lib/systemd/system/nfsec-iked.service
	644 ./usr/local/share/bash-completion/completions/nfsec
	644 ./usr/local/share/doc/nfsec/examples/cisco.iked.conf
	644 ./usr/local/share/doc/nfsec/examples/iked.conf
	644 ./usr/local/share/doc/nfsec/examples/strongswan.iked.conf
	644 ./usr/local/share/doc/nfsec/examples/xfrm.nfsec
	644 ./usr/local/share/man/man5/nfsec-iked.conf.5
	644 ./usr/local/share/man/man8/nfsec-iked.8
	644 ./usr/local/share/man/man8/nfsec.8
	755 ./usr/local/sbin/nfsec
	755 ./usr/local/sbin/nfsec-iked
EOF
if diff -u "$tmp/want" "$tmp/got" > "$tmp/out"; then
	ok "make install DESTDIR: the $(wc -l < "$tmp/want") files, modes as listed (module for $kver)"
else
	not_ok "make install DESTDIR: the files"
fi
# The installed pieces work: the unit names the installed programs, the module is one.
grep -q "^ExecStart=/usr/local/sbin/nfsec-iked -f -c /etc/nfsec/iked.conf$" \
	"$dest/usr/local/lib/systemd/system/nfsec-iked.service" &&
	grep -q "^ExecReload=/usr/local/sbin/nfsec tunnel reload$" \
	"$dest/usr/local/lib/systemd/system/nfsec-iked.service" &&
	modinfo -F name "$dest/lib/modules/$kver/extra/nfsec.ko" > "$tmp/out" 2>&1 &&
	grep -qx nfsec "$tmp/out" &&
	"$dest/usr/local/sbin/nfsec-iked" -n -c "$dest/etc/nfsec/iked.conf" > "$tmp/out" 2>&1
if [ $? -eq 0 ]; then
	ok "the unit runs /usr/local/sbin/nfsec-iked (reload: nfsec tunnel reload);" \
		"nfsec.ko is a module; iked.conf checks"
else
	not_ok "the installed files"
fi

# systemd-analyze verify wants the unit's programs and man pages where it says: an install
# with PREFIX inside the scratch directory.
pfx=$tmp/prefix
make -s -C "$top/userspace" install PREFIX="$pfx" SYSCONFDIR="$pfx/etc" > "$tmp/out" 2>&1 &&
	MANPATH=$pfx/share/man systemd-analyze verify \
		"$pfx/lib/systemd/system/nfsec-iked.service" > "$tmp/out" 2>&1
if [ $? -eq 0 ] && [ ! -s "$tmp/out" ]; then
	ok "systemd-analyze verify nfsec-iked.service: clean"
else
	not_ok "systemd-analyze verify nfsec-iked.service"
fi

# The administrator's configuration survives a reinstall and an uninstall.
echo "# mine" >> "$dest/etc/nfsec/iked.conf"
sum=$(sha256sum < "$dest/etc/nfsec/iked.conf")
if make -s -C "$top" install DESTDIR="$dest" > "$tmp/out" 2>&1 &&
	[ "$(sha256sum < "$dest/etc/nfsec/iked.conf")" = "$sum" ]; then
	ok "a second make install keeps a changed /etc/nfsec/iked.conf"
else
	not_ok "a second make install"
fi
if make -s -C "$top" uninstall DESTDIR="$dest" > "$tmp/out" 2>&1; then
	tree "$dest" > "$tmp/got"
	if [ "$(cat "$tmp/got")" = "600 ./etc/nfsec/iked.conf" ] &&
		[ "$(sha256sum < "$dest/etc/nfsec/iked.conf")" = "$sum" ]; then
		ok "make uninstall DESTDIR: every file gone but /etc/nfsec/iked.conf, unchanged"
	else
		cp "$tmp/got" "$tmp/out"
		not_ok "make uninstall DESTDIR: what is left"
	fi
else
	not_ok "make uninstall DESTDIR"
fi
# nor the directories that hold only nfsec's files
(cd "$dest" && find . -mindepth 1 -type d -empty) > "$tmp/out"
if ! grep -q -E 'nfsec|extra' "$tmp/out"; then
	ok "no empty directory of nfsec's left"
else
	not_ok "empty directories left"
fi
exit $failed
