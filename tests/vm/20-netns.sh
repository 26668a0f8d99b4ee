#!/bin/bash
# Every network namespace gets its own nfsec: the family answers in each, from that
# namespace's state (its netns cookie), and namespaces come and go with the module loaded.
#
#   +---------- ns a ----------+        +---------- ns b ----------+
#   | veth-a 10.0.0.1/24       |--------| veth-b 10.0.0.2/24       |
#   | fd00::1/64               |  veth  | fd00::2/64               |
#   +--------------------------+        +--------------------------+
. "$(dirname "$0")/lib.sh"

module_load
netns_add a
netns_add b
ip link add veth-a netns a type veth peer name veth-b netns b
ip -n a addr add 10.0.0.1/24 dev veth-a
ip -n b addr add 10.0.0.2/24 dev veth-b
ip -n a link set veth-a up
ip -n b link set veth-b up
ip -n a link set lo up
ip -n b link set lo up
ip netns exec a ping -c 1 -W 5 10.0.0.2 > /dev/null || fail "veth path a -> b"

root=$(nfsec -j version | json_get netns_cookie)
ca=$(ip netns exec a nfsec -j version | json_get netns_cookie)
cb=$(ip netns exec b nfsec -j version | json_get netns_cookie)
[ -n "$root" ] && [ -n "$ca" ] && [ -n "$cb" ] || fail "no netns cookie in a reply"
expect_ne "cookies of a and root" "$ca" "$root"
expect_ne "cookies of a and b" "$ca" "$cb"
expect_ne "cookies of b and root" "$cb" "$root"
expect_eq "cookie of a, asked again" "$(ip netns exec a nfsec -j version | json_get netns_cookie)" "$ca"

# Namespaces made and destroyed while the module is loaded run its pernet init and exit.
for i in $(seq 1 20); do
	ip netns add churn$i
	ip netns exec churn$i nfsec version > /dev/null || fail "family in new netns churn$i"
	ip netns del churn$i
done
module_unload
