#!/usr/bin/env bats
# husk driven directly by a real unprivileged user (issue 10): the user,
# its subordinate ranges and runtime directory come from rootless-helpers.
load helpers
load rootless-helpers

setup_file() {
	load helpers
	load rootless-helpers
	rootless_user_setup
}

teardown_file() {
	rootless_user_teardown
}

@test "rootless helpers: the user is unprivileged, with subordinate ranges and a private runtime dir" {
	run as_user id -u
	assert_success
	assert_output "$ROOTLESS_UID"
	[ "$ROOTLESS_UID" -ne 0 ]
	run as_user awk '/^CapEff:/ {print $2}' /proc/self/status
	assert_output 0000000000000000
	run as_user sh -c 'echo $XDG_RUNTIME_DIR'
	assert_output "/run/user/$ROOTLESS_UID"
	run stat -c '%a %u %g' "$ROOTLESS_XDG"
	assert_output "700 $ROOTLESS_UID $ROOTLESS_GID"
	run as_user -u XDG_RUNTIME_DIR sh -c 'echo "${XDG_RUNTIME_DIR-unset}"'
	assert_output unset
	grep -qx "$ROOTLESS_USER:$ROOTLESS_SUBUID_START:$ROOTLESS_SUBUID_COUNT" /etc/subuid
	grep -qx "$ROOTLESS_USER:$ROOTLESS_SUBGID_START:$ROOTLESS_SUBGID_COUNT" /etc/subgid
	[ "$ROOTLESS_SUBUID_COUNT" -ge 65536 ]
	run as_user "$ROOTLESS_HUSK" --version
	assert_success
	# The user cannot write what root owns.
	run as_user touch /etc/husk-rootless-probe
	assert_failure
}

@test "rootless helpers: teardown removes the user, its ranges, home and runtime dir" {
	# A second user made and removed inside this test.
	local saved_user=$ROOTLESS_USER saved_uid=$ROOTLESS_UID saved_gid=$ROOTLESS_GID \
		saved_home=$ROOTLESS_HOME saved_xdg=$ROOTLESS_XDG saved_husk=$ROOTLESS_HUSK
	BATS_TEST_NUMBER=x$BATS_TEST_NUMBER rootless_user_setup
	local name=$ROOTLESS_USER home=$ROOTLESS_HOME xdg=$ROOTLESS_XDG uid=$ROOTLESS_UID
	[ "$name" != "$saved_user" ]
	rootless_make_bundle
	local bundle=$RL_BUNDLE
	[ "$(stat -c %u "$bundle/rootfs/bin")" = "$uid" ]
	jq -e '.linux.namespaces | any(.type == "user")' "$bundle/config.json"
	as_user sleep 1000 &
	sleep 0.2
	rootless_user_teardown
	! getent passwd "$name"
	! getent group "$name"
	! grep -q "^$name:" /etc/subuid
	! grep -q "^$name:" /etc/subgid
	[ ! -e "$home" ] && [ ! -e "$xdg" ] && [ ! -e "$bundle" ]
	run rootless_user_pids
	assert_output ""
	ROOTLESS_USER=$saved_user ROOTLESS_UID=$saved_uid ROOTLESS_GID=$saved_gid \
		ROOTLESS_HOME=$saved_home ROOTLESS_XDG=$saved_xdg ROOTLESS_HUSK=$saved_husk
	export ROOTLESS_USER ROOTLESS_UID ROOTLESS_GID ROOTLESS_HOME ROOTLESS_XDG ROOTLESS_HUSK
}
