#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# config.json validation: every kind of bad config is refused with a message
# naming the field, and leaves nothing behind; every real client config is
# accepted; state and features match the JSON schemas.

load helpers

setup() {
	husk_setup
	make_bundle
}

# refused JQ_FILTER WORD...: after the edit, create fails, the message holds
# every WORD, nothing is left and nothing ran.
refused() {
	local filter=$1
	shift
	update_config "$filter"
	run husk create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ] || fail "accepted after \`$filter\`"
	[ "$status" -lt 128 ] || fail "husk died of a signal ($status) after \`$filter\`: $output"
	local w
	for w in "$@"; do
		[[ "$output" == *"$w"* ]] || fail "after \`$filter\`: message does not name \`$w\`: $output"
	done
	assert_no_leftovers "$ID"
	run husk list -q
	assert_output ''
}

# The reference config for each case is the fresh `husk spec` template.
reset_config() {
	rm -f "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$HUSK" spec)
	update_config '.root.path = "rootfs" | .process.terminal = false | .process.args = ["true"]'
}

@test "spec-validation: an unknown capability is a warning, not an error (runtime-spec)" {
	update_config '.process.capabilities.bounding += ["CAP_BOGUS"]
		| .process.capabilities.permitted += ["CAP_BOGUS"]'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output --partial CAP_BOGUS
	assert_no_leftovers "$ID"
}

@test "spec-validation: the template itself is accepted" {
	run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_no_leftovers "$ID"
}

@test "spec-validation: config.json missing or not JSON" {
	rm "$BUNDLE/config.json"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial config.json
	assert_no_leftovers "$ID"
	printf '{"ociVersion": "1.0.2", "process": {' >"$BUNDLE/config.json"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial config.json
	assert_no_leftovers "$ID"
	printf '[1, 2]' >"$BUNDLE/config.json"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial config.json
	assert_no_leftovers "$ID"
}

@test "spec-validation: wrong types name the field" {
	refused '.linux.resources.memory.limit = "64m"' linux.resources.memory.limit
	reset_config
	refused '.process.args = "true"' process.args
	reset_config
	refused '.process.user.uid = "root"' process.user.uid
	reset_config
	refused '.process.terminal = "yes"' process.terminal
	reset_config
	refused '.linux.namespaces = {"type": "pid"}' linux.namespaces
	reset_config
	refused '.process.env = ["A=1", 2]' process.env
	reset_config
	refused '.root = "rootfs"' root
	reset_config
	refused '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": "many", "hard": 10}]' soft
	reset_config
	refused '.mounts = [{"destination": 5, "type": "tmpfs", "source": "tmpfs"}]' destination
	reset_config
	refused '.linux.resources.pids.limit = 1.5' linux.resources.pids.limit
}

@test "spec-validation: out of range values name the field" {
	refused '.process.oomScoreAdj = 5000' oomScoreAdj
	reset_config
	refused '.process.user.uid = -1' process.user.uid
	reset_config
	refused '.process.user.uid = 4294967296' process.user.uid
	reset_config
	refused '.linux.resources.memory.limit = 1e30' linux.resources.memory.limit
	reset_config
	refused '.process.user.umask = -2' umask
	reset_config
	refused '.linux.resources.cpu.shares = -5' linux.resources.cpu.shares
}

@test "spec-validation: unknown names are refused, naming them" {
	refused '.linux.namespaces += [{"type": "bogusns"}]' bogusns
	reset_config
	refused '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]' RLIMIT_BOGUS
	reset_config
	refused '.linux.seccomp = {"defaultAction": "SCMP_ACT_BOGUS"}' SCMP_ACT_BOGUS
	reset_config
	refused '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_NOPE"}]}' SCMP_ACT_NOPE
	reset_config
	refused '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_PDP11"]}' SCMP_ARCH_PDP11
	reset_config
	refused '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 0, "value": 1, "op": "SCMP_CMP_WHATEVER"}]}]}' SCMP_CMP_WHATEVER
	reset_config
	refused '.linux.devices = [{"path": "/dev/x", "type": "q", "major": 1, "minor": 3}]' linux.devices
	reset_config
	refused '.linux.rootfsPropagation = "sideways"' sideways
	reset_config
	refused '.process.ioPriority = {"class": "IOPRIO_CLASS_NOPE", "priority": 1}' IOPRIO_CLASS_NOPE
	reset_config
	refused '.linux.personality = {"domain": "LINUX_NOPE"}' LINUX_NOPE
}

@test "spec-validation: structural errors" {
	refused '.linux.namespaces += [{"type": "pid"}]' pid
	reset_config
	refused 'del(.root)' root
	reset_config
	refused '.root = {}' root.path
	reset_config
	refused 'del(.process.args)' process.args
	reset_config
	refused '.process.args = []' process.args
	reset_config
	refused '.process.cwd = "tmp"' process.cwd
	reset_config
	refused 'del(.process.cwd)' process.cwd
	reset_config
	refused 'del(.ociVersion)' ociVersion
	reset_config
	refused '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 10},
		{"type": "RLIMIT_NOFILE", "soft": 20, "hard": 20}]' RLIMIT_NOFILE
	reset_config
	refused '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 10}]' process.rlimits
	reset_config
	refused '.mounts += [{"type": "tmpfs", "source": "tmpfs"}]' destination
	reset_config
	refused '.linux.uidMappings = [{"containerID": 0, "hostID": 1000, "size": 1}]' uidMappings
}

@test "spec-validation: a root.path that does not exist or is not a directory" {
	refused '.root.path = "no-such-rootfs"' no-such-rootfs
	reset_config
	touch "$BUNDLE/afile"
	refused '.root.path = "afile"' afile
}

# Copy a client config into the bundle and strip what cannot work on this
# machine: host paths of their storage become files/dirs of ours.
adapt_fixture() {
	local f=$1
	cp "$f" "$BUNDLE/config.json"
	update_config "
		.root.path = \"$BUNDLE/rootfs\"
		| .process.args = [\"true\"] | .process.terminal = false
		| del(.process.consoleSize)
		| del(.hooks) | del(.process.apparmorProfile) | del(.process.selinuxLabel)
		| del(.linux.mountLabel) | del(.linux.cgroupsPath)
		| .linux.namespaces |= map(del(.path))"
	# Bind mounts of the client's storage: give each its own source here.
	local n i src dst
	n=$(jq '.mounts | length' "$BUNDLE/config.json")
	mkdir -p "$BATS_TEST_TMPDIR/src"
	for ((i = 0; i < n; i++)); do
		src=$(jq -r ".mounts[$i].source // empty" "$BUNDLE/config.json")
		dst=$(jq -r ".mounts[$i].destination" "$BUNDLE/config.json")
		[ "$(jq -r ".mounts[$i].type // \"bind\"" "$BUNDLE/config.json")" = bind ] || continue
		[ -e "$src" ] && continue
		local mine
		mine=$(mktemp -u "$BATS_TEST_TMPDIR/src/m$i.XXXXXX")
		case "$dst" in
		/dev/shm | */) mkdir -p "$mine" ;;
		*) echo "fixture $i" >"$mine" ;;
		esac
		update_config ".mounts[$i].source = \"$mine\""
	done
}

@test "spec-validation: every client config.json in tests/data/clients is accepted and runs" {
	local fixtures=("$CLIENT_FIXTURES"/*config*.json)
	[ -f "${fixtures[0]}" ] || fail "no fixtures under $CLIENT_FIXTURES"
	make_traversable "$BUNDLE"
	local f i=0 bad=
	for f in "${fixtures[@]}"; do
		i=$((i + 1))
		adapt_fixture "$f"
		run husk run --bundle "$BUNDLE" "$ID-$i"
		if [ "$status" -ne 0 ]; then
			bad+="$(basename "$f"): exit $status: $output"$'\n'
			husk delete -f "$ID-$i" >/dev/null 2>&1 || true
			continue
		fi
		assert_no_leftovers "$ID-$i"
	done
	[ -z "$bad" ] || fail "refused client configs:"$'\n'"$bad"
}

@test "spec-validation: client exec process.json files validate against the process schema" {
	local f n=0
	for f in "$CLIENT_FIXTURES"/*exec-process*.json; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		schema_check process "$f"
	done
	[ "$n" -gt 0 ] || fail "no exec process fixtures under $CLIENT_FIXTURES"
}

# schema_check KIND FILE: tests/schema-check.py validates FILE against
# schema/<KIND>-schema.json (config, process, resources, state, features).
schema_check() {
	local kind=$1 file=$2
	local checker=$REPO/tests/schema-check.py
	[ -f "$checker" ] || fail "$checker missing"
	run python3 "$checker" "$kind" "$file"
	assert_success
}

@test "spec-validation: husk state validates against schema/state-schema.json" {
	update_config '.process.args = ["sleep", "1000"]
		| .annotations = {"org.example.key": "value"}'
	husk create --bundle "$BUNDLE" "$ID"
	husk state "$ID" >"$BATS_TEST_TMPDIR/created.json"
	# the stored file too, husk's own object (the cgroup it owns) included
	jq -e '.husk.cgroup_owned | length > 0' "$STATE_ROOT/$ID/state.json"
	schema_check state "$STATE_ROOT/$ID/state.json"
	husk start "$ID"
	husk state "$ID" >"$BATS_TEST_TMPDIR/running.json"
	husk kill "$ID" KILL
	wait_for_status "$ID" stopped
	husk state "$ID" >"$BATS_TEST_TMPDIR/stopped.json"
	jq -e '.annotations["org.example.key"] == "value"' "$BATS_TEST_TMPDIR/running.json"
	for s in created running stopped; do
		schema_check state "$BATS_TEST_TMPDIR/$s.json"
	done
}

@test "spec-validation: husk features validates against schema/features-schema.json" {
	husk features >"$BATS_TEST_TMPDIR/features.json"
	schema_check features "$BATS_TEST_TMPDIR/features.json"
	# Honest: it says 1.3 and lists what the tests above reject as unknown.
	jq -e '.ociVersionMax | startswith("1.3")' "$BATS_TEST_TMPDIR/features.json"
	jq -e '.linux.namespaces | index("time") != null and index("bogusns") == null' "$BATS_TEST_TMPDIR/features.json"
	jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO") != null' "$BATS_TEST_TMPDIR/features.json"
}

@test "spec-validation: husk spec output and every client config validate against the config schema" {
	schema_check config "$BUNDLE/config.json"
	local f
	for f in "$CLIENT_FIXTURES"/*config*.json; do
		schema_check config "$f"
	done
	[ -f "$CLIENT_FIXTURES/podman-update-resources.json" ] &&
		schema_check resources "$CLIENT_FIXTURES/podman-update-resources.json"
	true
}
