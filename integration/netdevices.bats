#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.netDevices: host interfaces moved (and renamed) into the container's
# network namespace, addresses kept, set up; a bad entry fails create and
# leaves the host's devices where they were.

load helpers

setup() {
	husk_setup
	make_bundle
	add_namespace network
	# Devices unique to this test, so parallel runs do not collide; veth
	# pairs, since this kernel has no dummy driver.
	DEV0=hd$$-$BATS_TEST_NUMBER
	DEV1=he$$-$BATS_TEST_NUMBER
	add_dev "$DEV0"
}

add_dev() {
	ip link add "$1" type veth peer name "${1}p" || fail "cannot create a veth pair $1"
}

teardown() {
	husk_teardown
	ip link del "$DEV0" 2>/dev/null || true
	ip link del "$DEV1" 2>/dev/null || true
}

@test "netDevices: a host device is moved into the container under its new name" {
	ip addr add 192.0.2.7/24 dev "$DEV0"
	update_config ".linux.netDevices = {\"$DEV0\": {\"name\": \"eth7\"}}"
	set_args sh -c 'ip link show eth7 && ip addr show eth7'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output --partial 'eth7'
	# The spec: the device is up and keeps its permanent global addresses.
	assert_output --regexp 'eth7(@[^:]*)?: <[^>]*UP'
	assert_output --partial 'inet 192.0.2.7/24'
	# The namespace died with the container: a virtual device is destroyed
	# (and its veth peer with it), it never comes back under either name.
	run ip link show "$DEV0"
	assert_failure
	run ip link show eth7
	assert_failure
	# The kernel tears a dead namespace down in a workqueue: the peer goes
	# a moment after the container's last process.
	local i
	for i in $(seq 100); do
		ip link show "${DEV0}p" >/dev/null 2>&1 || break
		sleep 0.05
	done
	run ip link show "${DEV0}p"
	assert_failure
}

@test "netDevices: while the container lives the device is gone from the host" {
	update_config ".linux.netDevices = {\"$DEV0\": {}}"
	set_args sleep 100
	run husk create --bundle "$BUNDLE" "$ID"
	assert_success
	run ip link show "$DEV0"
	assert_failure
	run husk exec "$ID" ip link show "$DEV0"
	assert_success
	assert_output --partial "$DEV0"
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "netDevices: a missing device fails create with a message naming it, nothing left behind" {
	add_dev "$DEV1"
	# The good device first: it must not be lost when the second fails.
	update_config ".linux.netDevices = {\"$DEV0\": {\"name\": \"eth7\"}, \"nosuchdev0\": {}}"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'linux.netDevices: move `nosuchdev0` into the container: No such device'
	assert_no_leftovers "$ID"
	run ip link show "$DEV0"
	assert_success
}

@test "netDevices: two devices cannot take the same name in the container" {
	add_dev "$DEV1"
	update_config ".linux.netDevices = {\"$DEV0\": {\"name\": \"eth7\"}, \"$DEV1\": {\"name\": \"eth7\"}}"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'linux.netDevices'
	assert_output --partial 'eth7'
	assert_no_leftovers "$ID"
	ip link show "$DEV0"
	ip link show "$DEV1"
}

@test "netDevices: a name already used in the container (lo) is an error" {
	update_config ".linux.netDevices = {\"$DEV0\": {\"name\": \"lo\"}}"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.netDevices: move \`$DEV0\` into the container as \`lo\`: File exists"
	assert_no_leftovers "$ID"
	ip link show "$DEV0"
}

@test "netDevices: a %d template lets the kernel pick a free name" {
	update_config ".linux.netDevices = {\"$DEV0\": {\"name\": \"net%d\"}}"
	set_args ip link show net0
	run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output --regexp 'net0(@[^:]*)?: <[^>]*UP'
}

@test "netDevices: without a new network namespace the config is refused" {
	remove_namespace network
	update_config ".linux.netDevices = {\"$DEV0\": {}}"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'linux.netDevices: requires a network namespace'
	ip link show "$DEV0"
}
