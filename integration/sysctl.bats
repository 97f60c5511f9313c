#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.sysctl: namespaced keys are set inside, the rest is refused.

load helpers

setup() {
	husk_setup
	make_bundle
}

@test "sysctl: net.* in the container's network namespace" {
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	want=$((1 - host))
	update_config ".linux.sysctl = {\"net.ipv4.ip_forward\": \"$want\", \"net/ipv4/conf/lo/forwarding\": \"$want\"}"
	run_in_container sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/lo/forwarding'
	assert_success
	assert_equal "${lines[0]}" "$want"
	assert_equal "${lines[1]}" "$want"
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$host"
}

@test "sysctl: ipc keys in the container's ipc namespace" {
	host=$(cat /proc/sys/kernel/shmmni)
	update_config '.linux.sysctl = {"kernel.shmmni": "1234", "fs.mqueue.msg_max": "17"}'
	run_in_container sh -c 'cat /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max'
	assert_success
	assert_equal "${lines[0]}" 1234
	assert_equal "${lines[1]}" 17
	assert_equal "$(cat /proc/sys/kernel/shmmni)" "$host"
}

@test "sysctl: kernel.domainname in the container's uts namespace" {
	update_config '.linux.sysctl = {"kernel.domainname": "husk.test"}'
	run_in_container cat /proc/sys/kernel/domainname
	assert_success
	assert_output husk.test
	[ "$(cat /proc/sys/kernel/domainname)" != husk.test ]
}

@test "sysctl: a key that is not namespaced is refused, nothing left behind" {
	before=$(cat /proc/sys/kernel/core_pattern)
	update_config '.linux.sysctl = {"kernel.core_pattern": "|/bin/false"}'
	run_in_container true
	assert_failure
	assert_output --partial 'kernel.core_pattern'
	assert_output --partial 'not namespaced'
	assert_equal "$(cat /proc/sys/kernel/core_pattern)" "$before"
	assert_no_leftovers "$ID"
}

@test "sysctl: net.* without a network namespace is refused" {
	remove_namespace network
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run_in_container true
	assert_failure
	assert_output --partial 'network namespace'
	assert_no_leftovers "$ID"
}

@test "sysctl: a key climbing out of /proc/sys is refused" {
	update_config '.linux.sysctl = {"net/../kernel/core_pattern": "x"}'
	run_in_container true
	assert_failure
	assert_output --partial 'not a valid name'
}

@test "sysctl: written through our procfs even when the image's /proc is odd" {
	# The container's /proc shows only processes (subset=pid: no /proc/sys;
	# only procfs may go on /proc): the value must still reach the kernel of
	# the container's network namespace.
	update_config '.mounts |= map(if .destination == "/proc" then .options = ["subset=pid"] else . end)
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .linux.sysctl = {"net.ipv4.ip_default_ttl": "42"}
		| .mounts += [{"destination": "/hostproc", "type": "proc", "source": "proc"}]'
	run_in_container sh -c '[ ! -e /proc/sys ] && echo no-proc-sys; cat /hostproc/sys/net/ipv4/ip_default_ttl'
	assert_success
	assert_output "no-proc-sys
42"
}
