#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# process.apparmorProfile and process.selinuxLabel.

load helpers

setup() {
	husk_setup
	make_bundle
}

apparmor_enabled() {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] &&
		[ -d /sys/kernel/security/apparmor ]
}

selinux_enabled() {
	grep -q ' selinuxfs ' /proc/self/mounts
}

@test "lsm: apparmorProfile without AppArmor is a clear error naming the field" {
	! apparmor_enabled || skip "AppArmor is enabled on this host"
	update_config '.process.apparmorProfile = "husk-test-profile"'
	run_in_container true
	assert_failure
	assert_output --partial "process.apparmorProfile"
	assert_output --partial "AppArmor is not enabled"
}

@test "lsm: selinuxLabel without SELinux is a clear error naming the field" {
	! selinux_enabled || skip "SELinux is enabled on this host"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run_in_container true
	assert_failure
	assert_output --partial "process.selinuxLabel"
	assert_output --partial "SELinux is not enabled"
}

@test "lsm: AppArmor profile is applied to the process" {
	apparmor_enabled || skip "AppArmor is not enabled on this host"
	update_config '.process.apparmorProfile = "unconfined"'
	run_in_container cat /proc/self/attr/current
	assert_success
	assert_output --partial unconfined
}

@test "lsm: empty labels are no labels" {
	update_config '.process.apparmorProfile = "" | .process.selinuxLabel = ""'
	run_in_container true
	assert_success
}
