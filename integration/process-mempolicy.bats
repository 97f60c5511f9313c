#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.memoryPolicy: the container process runs with the configured NUMA
# task policy (set_mempolicy), which /proc/self/numa_maps shows for every
# mapping without a policy of its own.

load helpers

setup() {
	husk_setup
	make_bundle
}

@test "memoryPolicy: MPOL_BIND on node 0 is the process's policy" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
	run_in_container head -n1 /proc/self/numa_maps
	assert_success
	assert_output --regexp '^[0-9a-f]+ bind:0 '
}

@test "memoryPolicy: MPOL_INTERLEAVE with a node list" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0"}'
	run_in_container head -n1 /proc/self/numa_maps
	assert_success
	assert_output --regexp '^[0-9a-f]+ interleave:0 '
}

@test "memoryPolicy: flags are passed with the mode (MPOL_F_STATIC_NODES)" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_PREFERRED", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	run_in_container head -n1 /proc/self/numa_maps
	assert_success
	assert_output --regexp '^[0-9a-f]+ prefer=static:0 '
}

@test "memoryPolicy: also applies to exec'd processes" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
	set_args sleep 100
	run husk run -d --bundle "$BUNDLE" "$ID"
	assert_success
	run husk exec "$ID" head -n1 /proc/self/numa_maps
	assert_success
	assert_output --regexp '^[0-9a-f]+ bind:0 '
	husk delete --force "$ID"
}

@test "memoryPolicy: without it the policy is the default" {
	run_in_container head -n1 /proc/self/numa_maps
	assert_success
	assert_output --regexp '^[0-9a-f]+ default '
}

@test "memoryPolicy: a node that is not online fails with an error naming the field" {
	[ ! -e /sys/devices/system/node/node63 ] || skip "node 63 exists on this machine"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "63"}'
	run_in_container true
	assert_failure
	assert_output --partial 'linux.memoryPolicy: set_mempolicy(MPOL_BIND, nodes `63`): Invalid argument'
	assert_no_leftovers "$ID"
}

@test "memoryPolicy: a malformed node list is refused" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0-"}'
	run_in_container true
	assert_failure
	assert_output --partial 'linux.memoryPolicy: invalid nodes `0-`'
	assert_no_leftovers "$ID"
}

@test "memoryPolicy: an unknown mode is refused when the config is read" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_NOPE", "nodes": "0"}'
	run_in_container true
	assert_failure
	assert_output --partial 'linux.memoryPolicy.mode'
	assert_no_leftovers "$ID"
}
