# Helpers for the VM tests; sourced by each tests/vm/*.sh, which run as root in the guest
# with the repository as the current directory. A test fails by exiting non-zero.

set -euo pipefail
# A command that ends a test through errexit says which, where (functions included).
set -o errtrace
trap 'echo "FAIL: ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND" >&2' ERR

KVER=$(uname -r)
MODDIR=$PWD/build/$KVER/kmod
NFSEC=$PWD/userspace/nfsec
export PATH=$PWD/userspace:$PATH

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
expect_ne() { [ "$2" != "$3" ] || fail "$1: both are '$2'"; }

# wait_until SECONDS WHAT CMD...: runs CMD (a command or a function) every 0.1 s until it
# succeeds; fails naming WHAT if SECONDS of wall time pass first. For readiness (a listener,
# a capture, a daemon's socket): generous, since beside other test files on the debug
# kernel seconds can pass between two commands, and free when the condition holds at once.
wait_until() {
	local secs=$1 what=$2 limit=$((SECONDS + $1))
	shift 2
	until "$@"; do
		[ $SECONDS -lt $limit ] || fail "$what: not within $secs s"
		sleep 0.1
	done
}

# listening NS tcp|udp PORT: something in NS listens on PORT.
listening() {
	local flag=-ltn
	[ "$2" = udp ] && flag=-lun
	[ -n "$(ss -N "$1" -H $flag "sport = :$3")" ]
}

# case_result ok|not_ok NAME: one case of a test with several, reported on its own line.
case_result() { echo "$1 $2" >> "${NFSEC_CASES:-/dev/null}"; }

# show_stuck PID...: what each process waits in (its state, kernel stack, and for our
# daemons and charon their threads' stacks by gdb): printed before a hung one is killed.
show_stuck() {
	local p comm
	for p in "$@"; do
		comm=$(cat /proc/$p/comm 2> /dev/null) || continue
		echo "--- $(ps -o pid=,stat=,wchan:24=,etimes=,args= -p $p)"
		sed 's/^/    /' /proc/$p/stack 2> /dev/null || true
		case "$comm" in
		nfsec*|charon)
			timeout 60 gdb -q -batch -p $p -ex 'thread apply all bt' 2>&1 |
				grep -E '^(#|Thread)' | sed 's/^/    /' || true ;;
		esac
	done
}

# stop_all WHAT PID...: SIGTERM to each, and NFSEC_STOP_GRACE seconds (30) for them to
# end. One still running then hangs: it is shown (show_stuck) and killed, and stop_all
# returns 1.
stop_all() {
	local what=$1 pid stuck=() grace=${NFSEC_STOP_GRACE:-30} limit
	shift
	[ $# -gt 0 ] || return 0
	limit=$((SECONDS + grace))
	kill "$@" 2> /dev/null || true
	for pid in "$@"; do
		until ended "$pid" || [ $SECONDS -ge $limit ]; do sleep 0.1; done
		ended "$pid" || stuck+=("$pid")
	done
	if [ ${#stuck[@]} -gt 0 ]; then
		echo "FAIL: $what still running $grace s after SIGTERM:" >&2
		show_stuck "${stuck[@]}" >&2
		kill -KILL "${stuck[@]}" 2> /dev/null || true
	fi
	wait "$@" 2> /dev/null || true
	[ ${#stuck[@]} -eq 0 ]
}

# ended PID: PID is gone, or a zombie its parent (this shell) has yet to reap.
ended() {
	local st
	st=$(ps -o stat= -p "$1") || return 0
	[[ $st == Z* ]]
}

# bounded CMD...: CMD in a session of its own (a process group the case's daemons stay
# in), given NFSEC_CASE_TIMEOUT seconds (600; a case takes 80 at most). Past them, what
# its processes wait in is shown, the session gets SIGTERM and NFSEC_STOP_GRACE seconds
# (30) later SIGKILL, and the status is 124.
bounded() {
	local limit=${NFSEC_CASE_TIMEOUT:-600} pid timer first st
	setsid "$@" &
	pid=$!
	sleep "$limit" &
	timer=$!
	wait -n -p first "$pid" "$timer" && st=0 || st=$?
	# SIGKILL for the timers: a SIGTERM that meets one before its exec is lost (bash's
	# handler, there for its EXIT trap, catches it), and the sleep would hold the pipe.
	if [ "$first" = "$pid" ]; then
		kill -KILL "$timer"
		wait "$timer" 2> /dev/null || true
		return $st
	fi
	echo "FAIL: the case still runs after $limit s; what its processes wait in:" >&2
	show_stuck $(pgrep -s "$pid") >&2
	kill -TERM -- -"$pid" 2> /dev/null || true
	sleep "${NFSEC_STOP_GRACE:-30}" &
	timer=$!
	wait -n "$pid" "$timer" || true
	# whatever is left of the session once the case's own exit is done (or the grace is)
	kill -KILL -- -"$pid" "$timer" 2> /dev/null || true
	wait 2> /dev/null || true
	return 124
}

# run_case NAME CMD...: runs CMD (a process of its own, so its errexit holds, bounded in
# time), reports it as a case and returns its status; its output is indented under the
# case's name.
run_case() {
	local name=$1 start=$SECONDS
	shift
	echo "## $name"
	if bounded "$@" 2>&1 | sed -u 's/^/  /'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
		echo "## $name: ok, $((SECONDS - start)) s"
		case_result ok "$name"
		return 0
	fi
	echo "## $name: FAILED, $((SECONDS - start)) s"
	case_result not_ok "$name"
	return 1
}

module_loaded() { [ -d /sys/module/nfsec ]; }

module_load() {
	module_loaded || insmod "$MODDIR/nfsec.ko" || fail "insmod nfsec.ko"
}

# Under tests/vm/run's sandbox the module serves files running side by side: it stays.
module_unload() {
	[ -z "${NFSEC_MODULE_SHARED:-}" ] || return 0
	if module_loaded; then rmmod nfsec || fail "rmmod nfsec"; fi
}

# A JSON field of one flat object, without a JSON tool: json_get KEY < JSON
json_get() {
	sed -n 's/.*"'"$1"'":\("[^"]*"\|[0-9]*\).*/\1/p' | tr -d '"'
}

# Network namespaces made through netns_add are deleted at exit, whatever happens.
NETNS=()
netns_add() { ip netns add "$1" && NETNS+=("$1"); }
cleanup() {
	local ns
	for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
