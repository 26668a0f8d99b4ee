# Shared by the scripts: where things are cached and which kernels we use.
# Sourced, not run.

NFSEC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NFSEC_CACHE=${NFSEC_CACHE:-/var/cache/nfsec}

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The stock Debian kernel users run: the newest linux-image-6.1.0-*-amd64 installed.
stock_kver() {
	local v
	v=$(cd /boot 2>/dev/null && ls vmlinuz-6.1.0-*-amd64 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	[ -n "$v" ] || die "no Debian 6.1 kernel in /boot: run scripts/deps"
	printf '%s\n' "$v"
}

# The build tree the stock kernel's modules are built against.
stock_kdir() { printf '/lib/modules/%s/build\n' "$(stock_kver)"; }

# The test kernel's build tree: one per source version, rebuilt in place (incrementally)
# when the config fragment changes; .nfsec-key says what it was last built from.
test_kernel_version() {
	dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null ||
		die "linux-source-6.1 is not installed: run scripts/deps"
}
test_kernel_key() {
	# Bump the recipe number when scripts/test-kernel changes what it builds. Comments and
	# blank lines in the fragment do not count.
	(echo recipe-1; grep -v -e '^#' -e '^$' "$NFSEC_TOP/scripts/kernel/test.config") |
		sha256sum | cut -c1-12
}
test_kdir() { printf '%s/kernel/%s\n' "$NFSEC_CACHE" "$(test_kernel_version)"; }
test_kernel_ready() { [ "$(cat "$(test_kdir)/.nfsec-key" 2>/dev/null)" = "$(test_kernel_key)" ]; }
