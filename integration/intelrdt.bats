#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.intelRdt.  Without resctrl mounted at /sys/fs/resctrl the spec asks
# for an error; that is what machines without RDT (most VMs) can test.  The
# group tests need a mounted resctrl and are skipped, saying so, elsewhere.

load helpers

resctrl_mounted() {
	[ "$(stat -f -c %t /sys/fs/resctrl 2>/dev/null)" = 7655821 ]
}

setup() {
	husk_setup
	make_bundle
}

@test "intelRdt: without resctrl mounted create fails, naming the field, nothing left behind" {
	resctrl_mounted && skip "resctrl is mounted here: the error path cannot be tested"
	update_config '.linux.intelRdt = {"l3CacheSchema": "L3:0=f"}'
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'linux.intelRdt: resctrl is not mounted at /sys/fs/resctrl'
	assert_no_leftovers "$ID"
	run husk state "$ID"
	assert_failure
}

@test "intelRdt: a closID alone also needs resctrl; husk run fails the same way" {
	resctrl_mounted && skip "resctrl is mounted here: the error path cannot be tested"
	update_config '.linux.intelRdt = {"closID": "husk-test-group"}'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'linux.intelRdt: resctrl is not mounted at /sys/fs/resctrl'
	assert_no_leftovers "$ID"
}

@test "intelRdt: a closID that is not a plain name is refused when the config is read" {
	update_config '.linux.intelRdt = {"closID": "../escape"}'
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'linux.intelRdt.closID'
	assert_no_leftovers "$ID"
}

@test "intelRdt: the container's own group holds its init and goes away on delete" {
	resctrl_mounted || skip "resctrl is not mounted at /sys/fs/resctrl (no RDT on this machine)"
	update_config '.linux.intelRdt = {}'
	set_args sleep 100
	run husk create --bundle "$BUNDLE" "$ID"
	assert_success
	pid=$(state_field "$ID" pid)
	grep -qx "$pid" "/sys/fs/resctrl/$ID/tasks"
	husk delete --force "$ID"
	[ ! -e "/sys/fs/resctrl/$ID" ]
}

@test "intelRdt: enableMonitoring makes a monitoring group for the container" {
	resctrl_mounted || skip "resctrl is not mounted at /sys/fs/resctrl (no RDT on this machine)"
	[ -d /sys/fs/resctrl/mon_groups ] || skip "resctrl has no monitoring on this machine"
	update_config '.linux.intelRdt = {"enableMonitoring": true}'
	set_args sleep 100
	run husk create --bundle "$BUNDLE" "$ID"
	assert_success
	pid=$(state_field "$ID" pid)
	grep -qx "$pid" "/sys/fs/resctrl/$ID/mon_groups/$ID/tasks"
	husk delete --force "$ID"
	[ ! -e "/sys/fs/resctrl/$ID" ]
}

@test "intelRdt: update --l3-cache-schema and --mem-bw-schema are applied, not refused as unsupported" {
	resctrl_mounted && skip "resctrl is mounted here: the error path cannot be tested"
	# features says Intel RDT is implemented; update must not say otherwise.
	run husk features
	assert_success
	jq -e '.linux.intelRdt.enabled == true' <<<"$output"
	set_args sleep 100
	run husk run -d --bundle "$BUNDLE" "$ID"
	assert_success
	local opt
	for opt in --l3-cache-schema=L3:0=f --mem-bw-schema=MB:0=50; do
		run husk update "$opt" "$ID"
		assert_failure
		assert_output --partial 'linux.intelRdt: resctrl is not mounted at /sys/fs/resctrl'
		refute_output --partial 'not supported'
	done
	# The cgroup part of the same update still works.
	run husk update --pids-limit 50 "$ID"
	assert_success
}

@test "intelRdt: update writes the schemata of the container's own group" {
	resctrl_mounted || skip "resctrl is not mounted at /sys/fs/resctrl (no RDT on this machine)"
	grep -q '^L3:' /sys/fs/resctrl/schemata || skip "resctrl has no L3 allocation on this machine"
	update_config '.linux.intelRdt = {}'
	set_args sleep 100
	run husk run -d --bundle "$BUNDLE" "$ID"
	assert_success
	local l3
	l3=$(grep '^L3:' /sys/fs/resctrl/schemata | head -1)
	run husk update --l3-cache-schema "$l3" "$ID"
	assert_success
	grep -qxF "$(tr -d ' ' <<<"$l3")" <(tr -d ' ' <"/sys/fs/resctrl/$ID/schemata")
	husk delete --force "$ID"
}
