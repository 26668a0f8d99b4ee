#!/bin/bash
# vm: alone (loads and unloads the module)
# The module loads and answers over netlink, and `nfsec version` tells both versions; with
# the module gone the tool says so clearly and fails.
. "$(dirname "$0")/lib.sh"

module_load
genl ctrl get name nfsec > /dev/null || fail "genl family nfsec not registered"

want=$(cat VERSION)
json=$(nfsec -j version)
expect_eq "tool version" "$(json_get tool <<< "$json")" "$want"
expect_eq "module version" "$(json_get module <<< "$json")" "$want"
expect_eq "family version" "$(json_get family_version <<< "$json")" 1
nfsec version | grep -q "module $want" || fail "human output lacks the module version"

module_unload
if nfsec version > /tmp/version.out 2> /tmp/version.err; then
	fail "nfsec version succeeded without the module"
fi
grep -q "not loaded" /tmp/version.err || fail "no clear error: $(cat /tmp/version.err)"
grep -q "$want" /tmp/version.out || fail "tool version not shown without the module"
