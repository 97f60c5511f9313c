#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# checkpoint / restore on this host, where CRIU cannot work (`criu check`
# fails on this kernel) or is not there: both commands say why in one line
# and leave nothing behind.  The real checkpoints and restores run in a VM
# whose kernel CRIU supports: integration/vm/criu.bats.

load helpers

setup() {
	husk_setup
	make_bundle
	IMG=$BATS_TEST_TMPDIR/img
}

# The tests below are about a host where CRIU fails.
need_failing_criu() {
	command -v criu >/dev/null || fail "criu is not installed (scripts/install-deps.sh installs it)"
	! criu check >/dev/null 2>&1 ||
		skip "criu check passes on this kernel: integration/vm/criu.bats covers checkpointing"
}

# assert_one_line: $output is exactly one line
assert_one_line() {
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line, got ${#lines[@]}: $output"
}

@test "checkpoint: where criu check fails, checkpoint says why in one line; the container runs on, no images are written" {
	need_failing_criu
	local why
	why=$(criu check 2>&1 | sed -n 's/^.*Error ([^)]*): //p' | head -1)
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	run husk checkpoint --image-path "$IMG" --work-path "$IMG.work" "$ID"
	assert_failure 1
	assert_one_line
	assert_output --partial "checkpoint \`$ID\`: CRIU cannot checkpoint or restore on this system: \`criu check\` failed: $why"
	[ ! -e "$IMG" ] || fail "images were written: $(ls -la "$IMG")"
	[ ! -e "$IMG.work" ] || fail "a work directory was made"
	[ "$(state_field "$ID" status)" = running ]
	# and the default image path (./checkpoint) is not made either
	cd "$BATS_TEST_TMPDIR"
	run husk checkpoint --leave-running "$ID"
	assert_failure 1
	[ ! -e "$BATS_TEST_TMPDIR/checkpoint" ] || fail "./checkpoint was made"
}

@test "checkpoint: where criu check fails, restore says why in one line and leaves no container, cgroup or pid file" {
	need_failing_criu
	mkdir -p "$IMG"
	: >"$IMG/inventory.img"
	run husk restore -d --image-path "$IMG" --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
	assert_failure 1
	assert_one_line
	assert_output --partial "restore \`$ID\`: CRIU cannot checkpoint or restore on this system: \`criu check\` failed:"
	[ ! -e "$BATS_TEST_TMPDIR/pid" ] || fail "a pid file was written"
	[ "$(ls -A "$IMG")" = inventory.img ] || fail "something was written to the images: $(ls -A "$IMG")"
	assert_no_leftovers "$ID"
	run husk state "$ID"
	assert_failure
}

@test "checkpoint: without criu both commands say it is not installed, in one line" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	HUSK_CRIU=$BATS_TEST_TMPDIR/no-criu run husk checkpoint --image-path "$IMG" "$ID"
	assert_failure 1
	assert_one_line
	assert_output --partial 'CRIU is not installed'
	[ ! -e "$IMG" ]
	[ "$(state_field "$ID" status)" = running ]
	HUSK_CRIU=$BATS_TEST_TMPDIR/no-criu run husk restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID-r"
	assert_failure 1
	assert_one_line
	assert_output --partial "restore \`$ID-r\`: CRIU is not installed"
	assert_no_leftovers "$ID-r"
}

@test "checkpoint: --help lists runc's options, exits 0 and ends with whether CRIU works here" {
	run husk checkpoint --help
	assert_success
	for o in --image-path --work-path --parent-path --leave-running --tcp-established --ext-unix-sk \
		--shell-job --file-locks --pre-dump --manage-cgroups-mode --empty-ns --auto-dedup \
		--lazy-pages --page-server --status-fd; do
		assert_output --partial -- "$o "
	done
	if criu check >/dev/null 2>&1; then
		assert_line --index -1 --regexp '^CRIU [0-9.]+ works on this system\.$'
	else
		assert_line --index -1 --partial '`criu check` failed'
	fi
	run husk restore --help
	assert_success
	for o in --bundle --image-path --work-path --detach --pid-file --console-socket --no-pivot \
		--tcp-established --ext-unix-sk --shell-job --file-locks --manage-cgroups-mode \
		--empty-ns --auto-dedup --lazy-pages --no-subreaper --lsm-profile --lsm-mount-context; do
		assert_output --partial -- "$o "
	done
	HUSK_CRIU=$BATS_TEST_TMPDIR/no-criu run husk checkpoint --help
	assert_success
	assert_line --index -1 --partial 'CRIU is not installed'
}

@test "checkpoint: a missing container or a bad option is a usage error naming it" {
	run husk checkpoint
	assert_failure 1
	run husk restore --no-such-option "$ID"
	assert_failure 1
	assert_output --partial 'no-such-option'
}

@test "checkpoint: features says whether checkpoint works here, and if not why" {
	run husk features
	assert_success
	local st
	st=$(jq -r '.annotations["io.github.husk.checkpoint"]' <<<"$output")
	if criu check >/dev/null 2>&1; then
		[ "$st" = enabled ] || fail "checkpoint: $st"
		[ "$(jq -r '.annotations["io.github.husk.criu.version"]' <<<"$output")" = "$(criu --version | sed -n 's/^Version: //p')" ]
	else
		[[ $st == "unavailable: CRIU cannot checkpoint or restore on this system: \`criu check\` failed: "* ]] ||
			fail "checkpoint: $st"
	fi
	HUSK_CRIU=$BATS_TEST_TMPDIR/no-criu run husk features
	assert_success
	[[ "$(jq -r '.annotations["io.github.husk.checkpoint"]' <<<"$output")" == "unavailable: CRIU is not installed"* ]]
}

@test "checkpoint: the global --criu PATH names the criu binary, as runc's does" {
	run husk --criu "$BATS_TEST_TMPDIR/no-criu" checkpoint "$ID"
	assert_failure 1
	assert_one_line
	assert_output --partial "CRIU is not installed: \`$BATS_TEST_TMPDIR/no-criu\` (--criu or \$HUSK_CRIU) is not an executable"
	# the real one, named explicitly, gets as far as criu check (or further)
	run husk --criu "$(command -v criu)" checkpoint "$ID"
	assert_failure 1
	refute_output --partial 'CRIU is not installed'
}
