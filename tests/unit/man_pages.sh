#!/usr/bin/env bash
# The man pages of userspace/man against the code: each renders with no warning
# (man --warnings), and each names in bold every word of the tables the parsers take, so
# that a word added to a parser without its documentation fails here. TAP on stdout, one
# line per page rendered and per table checked; run by "make -C userspace check".
#
# Where the words come from: the C source, read as text (no program is built or run).
#  1. The tables listed in TABLES below, each by file and array name, with the page that
#     must name its words. A table's words are the string literals directly inside its
#     braces and the first string literal of each { } entry in it:
#         [KW_DIR] = { "dir", "one of out, in", 1, false, parse_dir },  ->  dir
#         [NFSEC_SA_DIR_OUT] = "out",                                  ->  out
#     A table that is not found, or has no word, fails its line: rename it here too.
#  2. Every keyword table and command table of userspace/ (an array of struct keyword or
#     struct command) is found by its type, and must be listed in TABLES: a new table
#     without a page fails the test.
#  3. Words that are no table's: the string literals the parsers compare a word with
#     (strcmp(args[0], "inet"), word_is(word, "any"), has_prefix(word, "keyid:")) in the
#     files listed with "literals"; nfsec's global options (matches(opt, "json") ->
#     -json); nfsec-iked's getopt letters (-f) and long options (--flush-on-exit).
#
# "In bold": the page rendered by groff (-Tascii, overstruck bold, lines long enough
# that nothing is broken) has the word whole in a bold run: not glued to a letter, digit,
# '_', '-' or '%' before it, nor (when it ends with a letter or digit) to a letter,
# digit, '_' or '-' after it. So "lifetime" in "ike-lifetime" does not count.
set -uo pipefail
export LC_ALL=C		# perl, grep and groff the same whatever the caller's locale

top=$(cd "$(dirname "$0")/../.." && pwd)
src=$top/userspace
man_dir=$top/userspace/man
pages=(nfsec.8 nfsec-iked.8 nfsec-iked.conf.5)

# PAGE  FILE (under userspace/)  KIND  NAME
#   table: the array NAME; longopts: the same, each word after "--";
#   literals: the compared string literals of FILE; options: matches(opt, "W") as -W;
#   getopt: the letters of getopt_long()'s option string, each as -L.
TABLES="
nfsec.8            cli/commands.c    table     nfsec_commands
nfsec.8            cli/commands.c    options   -
nfsec.8            cli/policy.c      table     policy_commands
nfsec.8            cli/policy.c      table     keywords
nfsec.8            common/words.c    table     policy_dir_names
nfsec.8            cli/policy.c      table     action_names
nfsec.8            cli/policy.c      literals  -
nfsec.8            cli/sa.c          table     sa_commands
nfsec.8            cli/sa.c          table     keywords
nfsec.8            cli/sa.c          table     dir_names
nfsec.8            cli/sa.c          literals  -
nfsec.8            common/words.c    table     protos
nfsec.8            common/words.c    table     mode_names
nfsec.8            common/words.c    literals  -
nfsec.8            lib/sa.c          table     aliases
nfsec.8            lib/stats.c       table     stat_names
nfsec.8            cli/tunnel.c      table     tunnel_commands
nfsec.8            common/tunnel.c   table     keywords
nfsec.8            common/tunnel.c   table     auth_names
nfsec.8            common/tunnel.c   table     auto_names
nfsec.8            common/tunnel.c   table     exchange_names
nfsec.8            common/tunnel.c   table     yes_no_names
nfsec.8            common/tunnel.c   table     dpd_mode_names
nfsec.8            common/tunnel.c   table     dpd_action_names
nfsec.8            common/tunnel.c   table     nat_t_names
nfsec-iked.conf.5  common/tunnel.c   table     keywords
nfsec-iked.conf.5  common/tunnel.c   table     auth_names
nfsec-iked.conf.5  common/tunnel.c   table     auto_names
nfsec-iked.conf.5  common/tunnel.c   table     exchange_names
nfsec-iked.conf.5  common/tunnel.c   table     yes_no_names
nfsec-iked.conf.5  common/tunnel.c   table     dpd_mode_names
nfsec-iked.conf.5  common/tunnel.c   table     dpd_action_names
nfsec-iked.conf.5  common/tunnel.c   table     nat_t_names
nfsec-iked.conf.5  iked/conf.c       table     names
nfsec-iked.conf.5  common/tunnel.c   literals  -
nfsec-iked.conf.5  iked/conf.c       literals  -
nfsec-iked.conf.5  common/proposal.c table     groups
nfsec-iked.conf.5  common/proposal.c table     ike_algs
nfsec-iked.conf.5  common/proposal.c table     esp_algs
nfsec-iked.conf.5  common/words.c    table     protos
nfsec-iked.conf.5  common/words.c    table     mode_names
nfsec-iked.8       iked/main.c       getopt    -
nfsec-iked.8       iked/main.c       longopts  longopts
nfsec-iked.8       iked/control.c    table     requests
"

# words FILE KIND NAME: the words, one a line; nothing when there is no such table.
read -r -d '' WORDS_PL <<'EOF'
my ($file, $kind, $name) = @ARGV;
open my $fh, '<', $file or die "$file: $!\n";
my $c = do { local $/; <$fh> };
$c =~ s{/\*.*?\*/}{ }gs;
$c =~ s{//[^\n]*}{}g;
my @w;
if ($kind eq 'table' || $kind eq 'longopts') {
	# every definition of the array NAME (a function may have its own "names")
	while ($c =~ /\b\Q$name\E\s*\[[^\]]*\]\s*=\s*\{/g) {
		my ($depth, $entry_done, $pos) = (1, 0, pos($c));
		while ($depth > 0 && $pos < length $c) {
			my $rest = substr($c, $pos);
			if ($rest =~ /^("(?:[^"\\]|\\.)*")/) {
				my $lit = $1;
				$pos += length $lit;
				$lit = substr($lit, 1, -1);
				if ($depth == 1) {
					push @w, $lit;
				} elsif ($depth == 2 && !$entry_done) {
					push @w, $lit;
					$entry_done = 1;
				}
				next;
			}
			my $ch = substr($c, $pos++, 1);
			if ($ch eq '{') {
				$depth++;
				$entry_done = 0 if $depth == 2;
			} elsif ($ch eq '}') {
				$depth--;
			}
		}
	}
	@w = map { "--$_" } @w if $kind eq 'longopts';
} elsif ($kind eq 'literals') {
	push @w, $1 while $c =~ /\b(?:strn?cmp|word_is|has_prefix)\(\s*[^,()]+,\s*"((?:[^"\\]|\\.)+)"/g;
} elsif ($kind eq 'options') {
	push @w, "-$1" while $c =~ /\bmatches\(\s*opt\s*,\s*"([^"]+)"\s*\)/g;
} elsif ($kind eq 'getopt') {
	if ($c =~ /\bgetopt_long\([^"]*"([^"]+)"/) {
		push @w, map { "-$_" } grep { $_ ne ':' } split //, $1;
	}
}
my %seen;
print "$_\n" for grep { !$seen{$_}++ } @w;
EOF

# man_pages.sh --words FILE KIND NAME: only print those words (tests/unit/completion.sh).
if [ "${1:-}" = --words ]; then
	perl -e "$WORDS_PL" "$src/$2" "$3" "$4"
	exit
fi

# missing: the words (one a line on fd 3) that the rendered page (on stdin) has in no
# bold run.
read -r -d '' MISSING_PL <<'EOF'
my $text = do { local $/; <STDIN> };
my (@runs, $run);
$run = '';
# grotty -c overstrikes: bold is "c\bc", underlined "_\bc", others ("+\bo", a bullet) are
# neither; a blank ends a bold run
while ($text =~ /\G(?:([^\x08])\x08([^\x08])|(.))/gs) {
	if (defined $1 && $1 eq $2 && $1 !~ /\s/) {
		$run .= $1;
		next;
	}
	push @runs, $run if length $run;
	$run = '';
}
push @runs, $run if length $run;
open my $words, '<&=', 3 or die "fd 3: $!\n";
while (my $w = <$words>) {
	chomp $w;
	next unless length $w;
	my $after = $w =~ /[A-Za-z0-9]$/ ? '(?![A-Za-z0-9_-])' : '';
	my $re = qr/(?<![A-Za-z0-9_%-])\Q$w\E$after/;
	print "$w\n" unless grep { $_ =~ $re } @runs;
}
EOF

n=0
failed=0
ok() {  # ok NAME: one TAP line
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {  # not_ok NAME WHY...: one TAP line, then each WHY as a diagnostic
	n=$((n + 1))
	failed=1
	echo "not ok $n - $1"
	shift
	local why
	for why in "$@"; do
		[ -n "$why" ] && echo "# $why"
	done
}

# 1. Each page renders clean, at the width man uses when it does not write to a terminal,
# in a locale every Debian has (a missing one is a warning of its own), with no options
# from the environment, and without man-db's seccomp sandbox (which some containers
# refuse; the pages are ours).
for page in "${pages[@]}"; do
	name="$page renders with no warning (man --warnings -l)"
	if ! command -v man > /dev/null; then
		not_ok "$name" "no man command: scripts/deps installs man-db and groff-base"
		continue
	fi
	err=$(env -u MANOPT -u MANROFFOPT LC_ALL=C.UTF-8 MANWIDTH=80 MAN_DISABLE_SECCOMP=1 \
		man --warnings -l "$man_dir/$page" 2>&1 > /dev/null)
	st=$?
	if [ $st -eq 0 ] && [ -z "$err" ]; then
		ok "$name"
	else
		mapfile -t lines <<< "$err"
		not_ok "$name" "man exited with $st" "${lines[@]}"
	fi
done

# 2. Every keyword and command table of the sources has a page in TABLES.
unlisted=()
while IFS=: read -r file name; do
	grep -Eq "^[^ ]+ +$file +table +$name\$" <<< "$TABLES" ||
		unlisted+=("$file: table \"$name\" is checked against no page: list it in TABLES")
done < <(cd "$src" && grep -EHo 'struct (keyword|command) +[A-Za-z_0-9]+ *\[[^]]*\] *=' \
	cli/*.c iked/*.c lib/*.c | sed -E 's/^([^:]+):struct [a-z]+ +([A-Za-z_0-9]+).*/\1:\2/')
if [ ${#unlisted[@]} -eq 0 ]; then
	ok "every keyword and command table of userspace/ is checked against a page"
else
	not_ok "every keyword and command table of userspace/ is checked against a page" \
		"${unlisted[@]}"
fi

# 3. Each table's words are in bold in its page.
declare -A rendered
if command -v groff > /dev/null; then
	for page in "${pages[@]}"; do
		rendered[$page]=$(groff -man -Tascii -P-c -rLL=10000n "$man_dir/$page" 2> /dev/null)
	done
fi
while read -r page file kind name; do
	[ -n "$page" ] || continue
	what="$file $name"
	[ "$name" = - ] && what="$file $kind"
	if [ ! -f "$src/$file" ]; then
		not_ok "$page names every word of $what" "$src/$file: no such file: update TABLES"
		continue
	fi
	mapfile -t words < <(perl -e "$WORDS_PL" "$src/$file" "$kind" "$name")
	if [ ${#words[@]} -eq 0 ]; then
		not_ok "$page names every word of $what" \
			"$file: found no words ($what): renamed or moved? update TABLES"
		continue
	fi
	if [ -z "${rendered[$page]:-}" ]; then
		not_ok "$page names every word of $what" "groff could not render $page"
		continue
	fi
	mapfile -t missing < <(perl -e "$MISSING_PL" <<< "${rendered[$page]}" \
		3< <(printf '%s\n' "${words[@]}"))
	if [ ${#missing[@]} -eq 0 ]; then
		ok "$page names every word of $what (${#words[@]}) in bold"
	else
		msgs=()
		for w in "${missing[@]}"; do
			msgs+=("$page: \"$w\" ($what) is not in the page in bold")
		done
		not_ok "$page names every word of $what (${#words[@]}) in bold" "${msgs[@]}"
	fi
done <<< "$TABLES"

echo "1..$n"
exit $failed
