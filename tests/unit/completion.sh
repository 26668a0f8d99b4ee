#!/usr/bin/env bash
# userspace/completion/nfsec against the parsers: after "nfsec policy add", "nfsec sa add"
# and "nfsec tunnel add NAME" it offers every word of that command's keyword table, after a
# keyword with fixed values every value its table has (the words read from the C source by
# man_pages.sh --words, so a new word without its completion fails here), and it completes
# objects, commands and, from the daemon, tunnel names. TAP on stdout; run by
# "make -C userspace check". Needs bash-completion (scripts/deps).
set -uo pipefail
export LC_ALL=C

top=$(cd "$(dirname "$0")/../.." && pwd)
words() { bash "$top/tests/unit/man_pages.sh" --words "$@"; }
. /usr/share/bash-completion/bash_completion || { echo "1..0 # no bash-completion"; exit 1; }
. "$top/userspace/completion/nfsec"
n=0 failed=0

# offered WORD...: what completing the last WORD (maybe "") of "nfsec WORD..." offers
offered() {
	COMP_WORDS=(nfsec "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_nfsec
	printf '%s\n' "${COMPREPLY[@]}"
}

# expect WHAT WANT... -- WORD...: every WANT is offered for "nfsec WORD..."
expect() {
	local what=$1 want=() w missing=()
	shift
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	local got
	got=" $(offered "$@" | tr '\n' ' ') "
	for w in "${want[@]}"; do
		[[ $got == *" $w "* ]] || missing+=("$w")
	done
	n=$((n + 1))
	if [ ${#want[@]} -gt 0 ] && [ ${#missing[@]} -eq 0 ]; then
		echo "ok $n - $what (${#want[@]} words)"
	else
		failed=1
		echo "not ok $n - $what: not offered: ${missing[*]:-(no word to check)}"
		echo "# offered:$got"
	fi
}

echo "1..21"
expect "objects" $(words cli/commands.c table nfsec_commands) -- ""
expect "policy commands" add delete get show flush -- policy ""
expect "policy add: cli/policy.c keywords" $(words cli/policy.c table keywords | grep -vx index) \
	-- policy add ""
expect "policy add dir: common/words.c policy_dir_names" $(words common/words.c table policy_dir_names) \
	-- policy add dir ""
expect "policy add action: cli/policy.c action_names" \
	$(words cli/policy.c table action_names) -- policy add action ""
expect "policy add proto: common/words.c protos" $(words common/words.c table protos) \
	-- policy add proto ""
expect "policy add mode: common/words.c mode_names" $(words common/words.c table mode_names) \
	-- policy add mode ""
expect "sa add: cli/sa.c keywords" $(words cli/sa.c table keywords) -- sa add ""
expect "sa add dir: cli/sa.c dir_names" $(words cli/sa.c table dir_names) -- sa add dir ""
expect "tunnel commands: cli/tunnel.c tunnel_commands but aliases" \
	$(words cli/tunnel.c table tunnel_commands | grep -vx -e list -e help) -- tunnel ""
expect "tunnel add: common/tunnel.c keywords" $(words common/tunnel.c table keywords) \
	-- tunnel add t ""
expect "tunnel add auto: common/tunnel.c auto_names" $(words common/tunnel.c table auto_names) \
	-- tunnel add t auto ""
expect "tunnel add auth: common/tunnel.c auth_names" \
	$(words common/tunnel.c table auth_names) -- tunnel add t auth ""
expect "tunnel add pfs: common/proposal.c groups but aliases" \
	$(words common/proposal.c table groups | grep -vx x25519) -- tunnel add t pfs ""
expect "tunnel add dpd-mode: common/tunnel.c dpd_mode_names" \
	$(words common/tunnel.c table dpd_mode_names) -- tunnel add t dpd-mode ""
expect "tunnel add dpd-action: common/tunnel.c dpd_action_names" \
	$(words common/tunnel.c table dpd_action_names) -- tunnel add t dpd-action ""
expect "tunnel add nat-t: common/tunnel.c nat_t_names" \
	$(words common/tunnel.c table nat_t_names) -- tunnel add t nat-t ""
# Tunnel names come from the daemon: a fake nfsec on PATH answers "tunnel show".
mkdir -p "${TMPDIR:-/tmp}/nfsec-completion.$$"
fake=${TMPDIR:-/tmp}/nfsec-completion.$$
trap 'rm -rf "$fake"' EXIT
printf '#!/bin/sh\n[ "$1 $2" = "tunnel show" ] && printf "%%s\\n" "moon-sun: 1.2.3.4 -> 5.6.7.8, main mode, psk" "  phase 1: ESTABLISHED" "branch.2: %%%%any, main mode, psk"\n' \
	> "$fake/nfsec"
chmod +x "$fake/nfsec"
PATH=$fake:$PATH expect "tunnel down: the daemon's tunnel names" moon-sun branch.2 -- tunnel down ""
PATH=$fake:$PATH expect "tunnel show -s: the names" moon-sun branch.2 -- tunnel show -s ""
expect "tunnel show: -s" -s -- tunnel show -
expect "stats: prometheus" prometheus -- stats ""
# what is not offered: a second name to show, -s twice
n=$((n + 1))
if [ -z "$(PATH=$fake:$PATH offered tunnel show moon-sun "")" ] &&
	[ -z "$(offered tunnel show -s -)" ]; then
	echo "ok $n - tunnel show: one name, -s once"
else
	failed=1
	echo "not ok $n - tunnel show: one name, -s once"
fi
exit $failed
