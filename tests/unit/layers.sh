#!/usr/bin/env bash
# The layers of userspace/ (userspace/Makefile draws them) against the code: every
# '#include "FILE"' of a folder's sources names a file of that folder or of a folder
# below it, by its name alone (no "../"), so that neither program includes the other and
# the shared layer includes neither. TAP on stdout, one line per folder; run by
# "make -C userspace check".
#
#   lib/      libnfsec: itself alone
#   common/   what both programs use: itself, lib/
#   cli/      nfsec: itself, common/, lib/
#   iked/     nfsec-iked: itself, common/, lib/
set -uo pipefail
export LC_ALL=C

src=$(cd "$(dirname "$0")/../../userspace" && pwd)

# FOLDER  the folders its includes may name, itself first
LAYERS="
lib     lib
common  common lib
cli     cli common lib
iked    iked common lib
"

n=0
failed=0
while read -r folder allowed; do
	[ -n "$folder" ] || continue
	read -r -a dirs <<< "$allowed"
	bad=()
	for f in "$src/$folder"/*.[ch]; do
		while IFS=: read -r line name; do
			found=
			if [[ $name != */* ]]; then
				for d in "${dirs[@]}"; do
					[ -f "$src/$d/$name" ] && { found=$d; break; }
				done
			fi
			[ -n "$found" ] && continue
			bad+=("$folder/${f##*/}:$line: \"$name\" is in none of ${dirs[*]}/")
		done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
			 sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/')
	done
	n=$((n + 1))
	if [ ${#bad[@]} -eq 0 ]; then
		echo "ok $n - $folder/ includes only $allowed"
	else
		failed=1
		echo "not ok $n - $folder/ includes only $allowed"
		printf '# %s\n' "${bad[@]}"
	fi
done <<< "$LAYERS"

echo "1..$n"
exit $failed
