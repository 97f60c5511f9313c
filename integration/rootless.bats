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

# ---- husk run by the user ----

# rl_husk ARG...: husk as the user with its default state root, stdio as
# the husk() helper handles it ($DETACHED_OUT for create, run -d, exec -d).
rl_husk() {
	if husk_detaches "$@"; then
		DETACHED_OUT=$(mktemp "${BATS_TEST_TMPDIR:-/tmp}/detached.XXXXXX")
		chmod 0666 "$DETACHED_OUT"
		local rc=0
		husk_as_user "$@" </dev/null >"$DETACHED_OUT" 2>&1 || rc=$?
		cat "$DETACHED_OUT"
		return $rc
	fi
	husk_as_user "$@"
}

# update_config on the user's bundle, leaving config.json the user's.
rl_update_config() {
	CONFIG=$RL_BUNDLE/config.json update_config "$1"
	chown "$ROOTLESS_UID:$ROOTLESS_GID" "$RL_BUNDLE/config.json"
	chmod 0644 "$RL_BUNDLE/config.json"
}

# rl_set_args ARG...: process.args, each argument whole (newlines too).
rl_set_args() {
	local a json='[]'
	for a in "$@"; do
		json=$(jq -c --arg a "$a" '. + [$a]' <<<"$json")
	done
	rl_update_config ".process.args = $json"
}

# Everything the user's containers left: state dirs, processes rooted in
# the bundle, mounts of it, cgroups named after the id.
rl_assert_no_leftovers() {
	local id=$1 left= p root
	[ ! -e "$ROOTLESS_XDG/husk/$id" ] || left+="state dir; "
	for p in /proc/[0-9]*; do
		root=$(readlink "$p/root" 2>/dev/null) || continue
		case $root in "$RL_BUNDLE"/*) left+="process ${p#/proc/}; " ;; esac
	done
	grep -qF " $RL_BUNDLE/" /proc/self/mountinfo && left+="mounts; "
	[ -z "$(cgroup_dirs_of "$id")" ] || left+="cgroups $(cgroup_dirs_of "$id"); "
	[ -z "$left" ] || fail "leftovers of $id: $left"
}

setup() {
	husk_setup
	rootless_make_bundle
}

teardown() {
	local id
	for id in $(husk_as_user list -q 2>/dev/null); do
		husk_as_user delete --force "$id" >/dev/null 2>&1 || true
	done
	[ -n "${RL_BUNDLE:-}" ] && rm -rf "$RL_BUNDLE"
	husk_teardown
}

@test "rootless: spec --rootless runs as the user, in its own user namespace, state under XDG_RUNTIME_DIR" {
	rl_set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u'
	run rl_husk run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	assert_line --index 0 --regexp "^ +0 +$ROOTLESS_UID +1\$"
	assert_line --index 1 --regexp "^ +0 +$ROOTLESS_GID +1\$"
	assert_line --index 2 deny
	assert_line --index 3 0
	run stat -c '%a %u' "$ROOTLESS_XDG/husk"
	assert_output "700 $ROOTLESS_UID"
	rl_assert_no_leftovers "$ID"
}

@test "rootless: create, start, state, list, exec, ps, events, kill, delete" {
	rl_set_args sleep 1000
	run rl_husk create --bundle "$RL_BUNDLE" "$ID"
	assert_success
	[ -d "$ROOTLESS_XDG/husk/$ID" ]
	run rl_husk state "$ID"
	assert_success
	[ "$(echo "$output" | jq -r .status)" = created ]
	local pid
	pid=$(echo "$output" | jq -r .pid)
	# The init is the user's, not root's, on the host.
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$ROOTLESS_UID" ]
	run rl_husk start "$ID"
	assert_success
	run rl_husk list -q
	assert_output "$ID"
	run rl_husk exec "$ID" sh -c 'echo in:$(id -u); cat /proc/self/uid_map'
	assert_success
	assert_line --index 0 in:0
	assert_line --index 1 --regexp "^ +0 +$ROOTLESS_UID +1\$"
	run rl_husk exec -d "$ID" sleep 999
	assert_success
	run rl_husk ps --format json "$ID"
	assert_success
	[ "$(echo "$output" | jq length)" -eq 2 ]
	echo "$output" | jq -e --argjson p "$pid" 'index($p) != null'
	run rl_husk events --stats "$ID"
	assert_success
	echo "$output" | jq -e '.type == "stats"'
	run rl_husk kill "$ID" KILL
	assert_success
	for _ in $(seq 100); do pid_alive "$pid" || break; sleep 0.05; done
	run rl_husk state "$ID"
	[ "$(echo "$output" | jq -r .status)" = stopped ]
	run rl_husk delete "$ID"
	assert_success
	rl_assert_no_leftovers "$ID"
}

@test "rootless: kill --all reaches every process of the pid namespace without a cgroup" {
	rl_set_args sh -c 'sleep 1000 & sleep 1000 & wait'
	run rl_husk run -d --bundle "$RL_BUNDLE" "$ID"
	assert_success
	for _ in $(seq 100); do
		run rl_husk ps --format json "$ID"
		[ "$(echo "$output" | jq length)" -ge 3 ] && break
		sleep 0.05
	done
	[ "$(echo "$output" | jq length)" -eq 3 ]
	local pids=$output
	run rl_husk kill --all "$ID" KILL
	assert_success
	for _ in $(seq 100); do
		[ -z "$(for p in $(echo "$pids" | jq '.[]'); do pid_alive "$p" && echo "$p"; done)" ] && break
		sleep 0.05
	done
	for p in $(echo "$pids" | jq '.[]'); do ! pid_alive "$p"; done
	run rl_husk delete "$ID"
	assert_success
	rl_assert_no_leftovers "$ID"
}

@test "rootless: without XDG_RUNTIME_DIR the error says what to set; --root works instead" {
	run as_user -u XDG_RUNTIME_DIR "$ROOTLESS_HUSK" run --bundle "$RL_BUNDLE" "$ID"
	assert_failure
	assert_output --partial "XDG_RUNTIME_DIR is not set"
	assert_output --partial "--root"
	run as_user -u XDG_RUNTIME_DIR "$ROOTLESS_HUSK" list
	assert_failure
	assert_output --partial "XDG_RUNTIME_DIR"
	# Commands without state still work.
	run as_user -u XDG_RUNTIME_DIR "$ROOTLESS_HUSK" features
	assert_success
	run as_user -u XDG_RUNTIME_DIR "$ROOTLESS_HUSK" --root "$RL_BUNDLE/state" run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	[ -d "$RL_BUNDLE/state" ] && [ ! -e "$RL_BUNDLE/state/$ID" ]
}

@test "rootless: --rootless takes true, false or auto; false makes a missing cgroup fatal" {
	run husk_as_user --rootless maybe list
	assert_failure
	assert_output --partial "--rootless: expected true, false or auto, got \`maybe\`"
	run husk_as_user --rootless auto run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	run husk_as_user --rootless true run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	if [ -n "$(find /sys/fs/cgroup -maxdepth 2 -user "$ROOTLESS_UID" 2>/dev/null)" ]; then
		skip "the user owns a cgroup here; --rootless false would succeed"
	fi
	run husk_as_user --rootless false run --bundle "$RL_BUNDLE" "$ID"
	assert_failure
	assert_output --partial "cgroups: create"
	assert_output --partial "Permission denied"
	rl_assert_no_leftovers "$ID"
	# --debug says why the container has no cgroup of its own.
	run husk_as_user --debug run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	assert_output --partial "rootless: no cgroup of our own"
	run husk_as_user run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	assert_output ""
}

@test "rootless: resources asked without a writable cgroup fail naming the field, leaving nothing" {
	[ -n "$(find /sys/fs/cgroup -maxdepth 2 -user "$ROOTLESS_UID" 2>/dev/null)" ] &&
		skip "the user owns a cgroup here (delegation): covered by integration/vm/rootless-cgroup-v2.bats"
	rl_update_config '.linux.resources.memory = {"limit": 67108864}'
	run husk_as_user run --bundle "$RL_BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.resources.memory.limit: cannot be applied without root"
	rl_assert_no_leftovers "$ID"
	rl_update_config 'del(.linux.resources.memory) | .linux.resources.pids = {"limit": 10}'
	run husk_as_user run --bundle "$RL_BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.resources.pids.limit: cannot be applied without root"
	rl_assert_no_leftovers "$ID"
	# Device rules alone need no cgroup.
	rl_update_config 'del(.linux.resources.pids) | .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	run husk_as_user run --bundle "$RL_BUNDLE" "$ID"
	assert_success
}

@test "rootless: pause and update say the container has no cgroup of its own" {
	[ -n "$(find /sys/fs/cgroup -maxdepth 2 -user "$ROOTLESS_UID" 2>/dev/null)" ] &&
		skip "the user owns a cgroup here (delegation)"
	rl_set_args sleep 1000
	run rl_husk run -d --bundle "$RL_BUNDLE" "$ID"
	assert_success
	run husk_as_user pause "$ID"
	assert_failure
	assert_output --partial "has no cgroup of its own"
	run husk_as_user update --pids-limit 10 "$ID"
	assert_failure
	assert_output --partial "has no cgroup of its own"
	run husk_as_user state "$ID"
	[ "$(echo "$output" | jq -r .status)" = running ]
	run husk_as_user delete --force "$ID"
	assert_success
	rl_assert_no_leftovers "$ID"
}

@test "rootless: a full linux.uidMappings set up by husk through newuidmap and newgidmap" {
	# A user can install tests/kernel-compat's filter only with no_new_privs,
	# which keeps the setuid newuidmap from gaining its privileges.
	[ -z "${HUSK_KERNEL_COMPAT:-}" ] ||
		skip "under kernel-compat a user's husk has no_new_privs: setuid newuidmap cannot work"
	command -v newuidmap >/dev/null || fail "newuidmap missing (package uidmap, scripts/install-deps.sh)"
	rl_update_config "
		.linux.uidMappings = [{\"containerID\": 0, \"hostID\": $ROOTLESS_UID, \"size\": 1},
			{\"containerID\": 1, \"hostID\": $ROOTLESS_SUBUID_START, \"size\": 65536}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $ROOTLESS_GID, \"size\": 1},
			{\"containerID\": 1, \"hostID\": $ROOTLESS_SUBGID_START, \"size\": 65536}]
		| .process.capabilities.bounding += [\"CAP_CHOWN\"]
		| .process.capabilities.effective += [\"CAP_CHOWN\"]
		| .process.capabilities.permitted += [\"CAP_CHOWN\"]"
	rl_set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups;
		touch /f && chown 1000:1000 /f && stat -c "%u %g" /f'
	run rl_husk run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	assert_line --index 0 --regexp "^ +0 +$ROOTLESS_UID +1\$"
	assert_line --index 1 --regexp "^ +1 +$ROOTLESS_SUBUID_START +65536\$"
	assert_line --index 2 --regexp "^ +0 +$ROOTLESS_GID +1\$"
	assert_line --index 3 --regexp "^ +1 +$ROOTLESS_SUBGID_START +65536\$"
	assert_line --index 4 allow
	assert_line --index 5 "1000 1000"
	# On the host the file belongs to a subordinate id of the user.
	run stat -c '%u %g' "$RL_BUNDLE/rootfs/f"
	assert_output "$((ROOTLESS_SUBUID_START + 999)) $((ROOTLESS_SUBGID_START + 999))"
	rl_assert_no_leftovers "$ID"
}

@test "rootless: a mapping outside the user's ranges is refused by newuidmap, naming the field" {
	rl_update_config "
		.linux.uidMappings = [{\"containerID\": 0, \"hostID\": $ROOTLESS_UID, \"size\": 1},
			{\"containerID\": 1, \"hostID\": 1, \"size\": 100}]"
	run rl_husk run --bundle "$RL_BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.uidMappings: "
	assert_output --partial "newuidmap"
	rl_assert_no_leftovers "$ID"
}

# rl_podman_like_holder N [UNSHARE_FLAGS]: a user namespace (by default
# with its own mount namespace: --user --mount), mapped as podman maps its
# own (0 = the user, 1.. = the subordinate ids), held by `sleep N` (a
# duration no other test uses); sets holder.
rl_podman_like_holder() {
	as_user sh -c "exec unshare ${2:---user --mount} sleep $1" &
	for _ in $(seq 100); do
		holder=$(pgrep -u "$ROOTLESS_UID" -x -f "sleep $1" | head -1) && [ -n "$holder" ] &&
			[ "$(readlink /proc/$holder/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.05
	done
	[ -n "$holder" ]
	as_user newuidmap "$holder" 0 "$ROOTLESS_UID" 1 1 "$ROOTLESS_SUBUID_START" 65536
	as_user newgidmap "$holder" 0 "$ROOTLESS_GID" 1 1 "$ROOTLESS_SUBGID_START" 65536
}

@test "rootless: podman-style, husk as root of a user namespace the test mapped with newuidmap" {
	# The test makes the user namespace and writes its full mappings with
	# newuidmap/newgidmap as the user, then runs husk inside it, as root
	# there, with a config that has no user namespace of its own.
	# A duration no container of another test uses, so that pgrep finds
	# this holder and never a container's sleep in a namespace already mapped.
	local holder
	rl_podman_like_holder 4321 --user
	rl_update_config 'del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= map(select(.type != "user"))
		| .process.capabilities.bounding += ["CAP_CHOWN"]
		| .process.capabilities.effective += ["CAP_CHOWN"]
		| .process.capabilities.permitted += ["CAP_CHOWN"]'
	rl_set_args sh -c 'cat /proc/self/uid_map; id -u; touch /g && chown 33:33 /g && echo chowned'
	run as_user nsenter --user -t "$holder" -- timeout 60 "$ROOTLESS_HUSK" run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	assert_line --index 0 --regexp "^ +0 +$ROOTLESS_UID +1\$"
	assert_line --index 1 --regexp "^ +1 +$ROOTLESS_SUBUID_START +65536\$"
	assert_line --index 2 0
	assert_line --index 3 chowned
	[ "$(stat -c %u "$RL_BUNDLE/rootfs/g")" = $((ROOTLESS_SUBUID_START + 32)) ]
	# The state root was the user's XDG_RUNTIME_DIR/husk, seen from inside.
	[ -d "$ROOTLESS_XDG/husk" ]
	kill "$holder"
	rl_assert_no_leftovers "$ID"
}

@test "rootless: podman --uidmap-style, a bind source only the user can reach, under a nested mapping" {
	# As rootless podman --uidmap: husk runs as root of the user's namespace
	# (with its own mount namespace, as podman's) and gives the container a
	# user namespace of its own, 0:1:4096 there, whose root cannot search
	# the user's 0700 directory that holds the bind source (podman 5 keeps
	# userdata/hosts so).  husk clones such a source before the user
	# namespace exists; the flags the host locked stay locked: root made the
	# directory a read-only mount before the user's namespace copied it.
	[ -z "${HUSK_KERNEL_COMPAT:-}" ] ||
		skip "without the mount API (Linux 5.2) no mount can be handed to the container"
	local private=$RL_BUNDLE/userdata
	mkdir "$private"
	echo only-the-user >"$private/hosts"
	chown -R "$ROOTLESS_UID:$ROOTLESS_GID" "$private"
	chmod 0700 "$private"
	chmod 0644 "$private/hosts"
	mount --bind "$private" "$private"
	mount -o remount,bind,ro "$private"
	local holder
	rl_podman_like_holder 4322
	rl_update_config '
		.linux.uidMappings = [{"containerID": 0, "hostID": 1, "size": 4096}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 1, "size": 4096}]
		| .mounts += [{"destination": "/etc/hosts", "type": "bind",
			"source": "'"$private"'/hosts", "options": ["rbind"]}]
		| .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	rl_set_args sh -c 'cat /proc/self/uid_map; cat /etc/hosts
		mount -o remount,bind,ro,nosuid /etc/hosts && echo can-remount
		mount -o remount,bind,rw /etc/hosts 2>/dev/null && echo made-rw || echo still-ro
		{ echo x >/etc/hosts; } 2>/dev/null && echo written || echo not-written'
	run as_user nsenter --user --mount -t "$holder" -- timeout 60 "$ROOTLESS_HUSK" run --bundle "$RL_BUNDLE" "$ID"
	kill "$holder"
	umount "$private"
	assert_success
	assert_line --index 0 --regexp '^ +0 +1 +4096$'
	assert_line --index 1 only-the-user
	# adding a flag works, clearing the locked one does not
	assert_line --index 2 can-remount
	assert_line --index 3 still-ro
	assert_line --index 4 not-written
	[ "$(cat "$private/hosts")" = only-the-user ]
	rl_assert_no_leftovers "$ID"
}

@test "rootless: podman --uidmap-style with 60 binds and 64 fds: the clones husk hands over leave the init room" {
	[ -z "${HUSK_KERNEL_COMPAT:-}" ] ||
		skip "without the mount API (Linux 5.2) no mount can be handed to the container"
	# husk clones the bind sources for the init, which inherits them: with
	# a low RLIMIT_NOFILE it keeps half the table free, so the init's own
	# opens still work and the first source, only the user's, is cloned.
	local private=$RL_BUNDLE/userdata i mounts='[]'
	mkdir "$private"
	echo only-the-user >"$private/hosts"
	chown -R "$ROOTLESS_UID:$ROOTLESS_GID" "$private"
	chmod 0700 "$private"
	mounts=$(jq -c --arg s "$private/hosts" '. + [{"destination": "/etc/hosts", "type": "bind",
		"source": $s, "options": ["rbind", "ro"]}]' <<<"$mounts")
	for i in $(seq 59); do
		as_user touch "$RL_BUNDLE/rootfs/m$i"
		mounts=$(jq -c --arg d "/m$i" '. + [{"destination": $d, "type": "bind",
			"source": "/etc/hostname", "options": ["bind", "ro"]}]' <<<"$mounts")
	done
	local holder
	rl_podman_like_holder 4323
	rl_update_config '
		.linux.uidMappings = [{"containerID": 0, "hostID": 1, "size": 4096}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 1, "size": 4096}]
		| .mounts += '"$mounts"
	rl_set_args sh -c 'cat /etc/hosts; grep -c " /m[0-9]* " /proc/self/mountinfo'
	run as_user nsenter --user --mount -t "$holder" -- sh -c \
		'ulimit -S -n 64 && exec timeout 60 "$@"' sh "$ROOTLESS_HUSK" run --bundle "$RL_BUNDLE" "$ID"
	kill "$holder"
	assert_success
	assert_line --index 0 only-the-user
	assert_line --index 1 59
	rl_assert_no_leftovers "$ID"
}

@test "rootless: nothing beyond the user's own rights: a root-owned host file bound in stays unwritable" {
	local secret=$RL_BUNDLE/root-owned
	echo original >"$secret"
	chown 0:0 "$secret"
	chmod 0644 "$secret"
	rl_update_config ".mounts += [{\"destination\": \"/secret\", \"type\": \"bind\",
		\"source\": \"$secret\", \"options\": [\"bind\", \"rw\"]}]
		| .process.capabilities.bounding += [\"CAP_DAC_OVERRIDE\", \"CAP_CHOWN\", \"CAP_FOWNER\"]
		| .process.capabilities.effective += [\"CAP_DAC_OVERRIDE\", \"CAP_CHOWN\", \"CAP_FOWNER\"]
		| .process.capabilities.permitted += [\"CAP_DAC_OVERRIDE\", \"CAP_CHOWN\", \"CAP_FOWNER\"]"
	rl_set_args sh -c 'stat -c "%u %g" /secret; (echo pwned >/secret) && echo wrote;
		chmod 0666 /secret && echo chmodded; chown 0:0 /secret && echo chowned;
		cat /secret; exit 0'
	run rl_husk run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	assert_line --index 0 "65534 65534"
	refute_line wrote
	refute_line chmodded
	refute_line chowned
	assert_line original
	[ "$(cat "$secret")" = original ]
	[ "$(stat -c '%a %u' "$secret")" = "644 0" ]
	rl_assert_no_leftovers "$ID"
}

@test "rootless: a sysfs mount without a network namespace of its own is the host's /sys, bound" {
	rl_update_config '(.mounts[] | select(.destination == "/sys")) |=
		{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}'
	jq -e '.linux.namespaces | map(.type) | index("network") == null' "$RL_BUNDLE/config.json"
	rl_set_args sh -c 'ls /sys/class/net; grep " /sys " /proc/self/mountinfo; touch /sys/x 2>/dev/null && echo wrote; exit 0'
	run rl_husk run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	local nic
	for nic in $(ls /sys/class/net); do assert_line "$nic"; done
	assert_line --regexp ' /sys ro,.* - sysfs '
	refute_line wrote
	rl_assert_no_leftovers "$ID"
}

@test "rootless: a bind remount keeps the flags the user namespace cannot drop" {
	# /proc/sys/fs/binfmt_misc style: a host mount that is nosuid,nodev,noexec
	# and read-only, bound in and remounted without those flags.
	local src=$RL_BUNDLE/locked
	mkdir -p "$src"
	echo x >"$src/f"
	mount -t tmpfs -o ro,nosuid,nodev,noexec,size=1m tmpfs "$src" || fail "mount tmpfs"
	rl_update_config ".mounts += [{\"destination\": \"/locked\", \"type\": \"bind\",
		\"source\": \"$src\", \"options\": [\"bind\", \"rw\", \"suid\", \"dev\", \"exec\"]}]"
	rl_set_args sh -c 'grep " /locked " /proc/self/mountinfo'
	run rl_husk run --bundle "$RL_BUNDLE" "$ID"
	umount "$src"
	assert_success
	assert_output --regexp ' /locked ro,nosuid,nodev,noexec'
	rl_assert_no_leftovers "$ID"
}

@test "rootless: linux.devices are the host's nodes, bound, with the user's own access to them" {
	[ -c /dev/fuse ] || skip "the host has no /dev/fuse to bind"
	local major minor
	major=$((0x$(stat -c %t /dev/fuse))) minor=$((0x$(stat -c %T /dev/fuse)))
	rl_update_config ".linux.devices = [{\"path\": \"/dev/fuse\", \"type\": \"c\",
		\"major\": $major, \"minor\": $minor, \"fileMode\": 438, \"uid\": 0, \"gid\": 0}]"
	rl_set_args sh -c 'stat -c "%F %t:%T" /dev/fuse; (exec 3<>/dev/fuse) 2>/dev/null && echo opened || echo refused'
	local want=refused
	as_user sh -c 'exec 3<>/dev/fuse' 2>/dev/null && want=opened
	run rl_husk run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	assert_line --index 0 "character special file $(printf '%x:%x' "$major" "$minor")"
	assert_line --index 1 "$want"
	rl_assert_no_leftovers "$ID"
	# A node the host does not have, under no name (240-254 are the local
	# majors), cannot be made: the error names it.  (A new name for numbers
	# the host has is bound from the host's node: corners.bats.)
	[ ! -e /sys/dev/char/241:4242 ] || skip "the host has a char device 241:4242"
	rl_update_config '.linux.devices = [{"path": "/dev/husk-no-such-node", "type": "c", "major": 241, "minor": 4242}]'
	run rl_husk run --bundle "$RL_BUNDLE" "$ID"
	assert_failure
	assert_output --partial "/dev/husk-no-such-node"
	rl_assert_no_leftovers "$ID"
}

@test "rootless: --systemd-cgroup without a user manager says where it looked, leaving nothing" {
	# The runtime dir made for the user is empty: no user bus, no manager.
	[ ! -e "$ROOTLESS_XDG/bus" ] && [ ! -e "$ROOTLESS_XDG/systemd/private" ]
	run husk_as_user --systemd-cgroup run --bundle "$RL_BUNDLE" "$ID"
	assert_failure
	assert_output --partial "systemd: connect to the user's manager"
	assert_output --partial "XDG_RUNTIME_DIR/bus"
	assert_output --partial "loginctl enable-linger"
	rl_assert_no_leftovers "$ID"
	run husk_as_user list -q
	assert_output ""
}

@test "rootless: run with process.terminal under script(1) proxies the pty, in the foreground or not" {
	# husk's own pty proxy (run without --console-socket) on the terminal
	# script(1) gives the user.  Under `timeout` (no --foreground) husk is a
	# background job of that terminal: setting its modes or reading it
	# would stop husk (SIGTTOU, SIGTTIN) with nobody to continue it, so
	# husk leaves the terminal alone there.
	rl_update_config '.process.terminal = true'
	rl_set_args sh -c 'tty; test -t 0 && echo stdin-is-tty; stty size; exit 5'
	local i cmd
	for i in 1 2 3 4; do
		cmd="$ROOTLESS_HUSK run --bundle $RL_BUNDLE $ID-$i"
		[ "$i" -le 2 ] || cmd="timeout 30 $cmd"
		run as_user timeout -k 5 60 script -qec "$cmd" /dev/null </dev/null
		[ "$status" -eq 5 ] || fail "run $i ($cmd): status $status: $output"
		assert_output --partial /dev/pts/
		assert_output --partial stdin-is-tty
		rl_assert_no_leftovers "$ID-$i"
	done
	# exec -t proxies the same way
	rl_update_config '.process.terminal = false'
	rl_set_args sleep 1000
	rl_husk run -d --bundle "$RL_BUNDLE" "$ID"
	for cmd in "$ROOTLESS_HUSK exec -t $ID" "timeout 30 $ROOTLESS_HUSK exec -t $ID"; do
		run as_user timeout -k 5 60 script -qec "$cmd sh -c 'tty; exit 6'" /dev/null </dev/null
		[ "$status" -eq 6 ] || fail "$cmd: status $status: $output"
		assert_output --partial /dev/pts/
	done
	husk_as_user delete --force "$ID"
	rl_assert_no_leftovers "$ID"
}
