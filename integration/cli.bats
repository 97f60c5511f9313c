#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line: help, version, option syntax, global options, ids.

load helpers

COMMANDS=(create start run state kill delete list exec pause resume update ps events spec features check checkpoint restore)

@test "cli: --version prints the version and the spec version" {
	run husk --version
	assert_success
	assert_line --regexp '^husk version [0-9]+\.[0-9]+\.[0-9]+'
	assert_line --regexp '^spec: 1\.3\.[0-9]+'
	run husk -v
	assert_success
	assert_line --regexp '^husk version '
}

@test "cli: --help lists every command" {
	run husk --help
	assert_success
	assert_line --partial 'Usage: husk'
	for c in "${COMMANDS[@]}"; do
		assert_line --regexp "^  $c "
	done
}

@test "cli: --help and -h print the global usage once, from its first line" {
	local h
	for h in --help -h; do
		run husk "$h"
		assert_success
		# Once, and nothing before it (no empty "Usage: husk  COMMAND" block).
		assert_line --index 0 'Usage: husk [global options] COMMAND [options] [ID] ...'
		[ "$(grep -c '^Usage:' <<<"$output")" -eq 1 ] || fail "Usage: printed more than once: $output"
	done
}

@test "cli: more than 256 operands is a usage error, not a silent cut" {
	run husk delete $(seq 1 257)
	assert_failure 1
	assert_output --partial "more than 256 operands"
	# 256 reach the command, which counts them itself.
	run husk delete $(seq 1 256)
	assert_failure 1
	assert_output --partial "wrong number of arguments"
	# exec's command is no operand list: 300 arguments reach the process.
	make_bundle
	update_config '.process.args = ["sleep", "1000"]'
	run husk run -d --bundle "$BUNDLE" "$ID"
	assert_success
	run husk exec "$ID" sh -c 'echo "$# ${300}"' sh $(seq 1 300)
	assert_success
	assert_output "300 300"
	husk delete --force "$ID"
}

@test "cli: every command's --help exits 0 with its usage" {
	for c in "${COMMANDS[@]}"; do
		run husk "$c" --help
		assert_success
		assert_line --index 0 --partial "Usage: husk $c"
		run husk "$c" -h
		assert_success
		assert_line --index 0 --partial "Usage: husk $c"
	done
}


@test "cli: no command prints the usage and fails" {
	run husk
	assert_failure 1
	assert_output --partial 'Usage: husk'
}

@test "cli: unknown command exits 1 naming it" {
	run husk frobnicate
	assert_failure 1
	assert_output --partial 'frobnicate'
}

@test "cli: unknown global option exits 1 naming it" {
	run husk --no-such-option list
	assert_failure 1
	assert_output --partial 'no-such-option'
}

@test "cli: unknown command option exits 1 naming it" {
	for c in create start run state kill delete list spec; do
		run husk "$c" --no-such-option x
		assert_failure 1
		assert_output --partial 'no-such-option'
	done
}

@test "cli: an option missing its value exits 1" {
	run husk --root
	assert_failure 1
	run husk create --bundle
	assert_failure 1
	assert_output --partial 'bundle'
}

@test "cli: --root DIR and --root=DIR address the same state" {
	make_bundle
	update_config '.process.args = ["sleep", "100"]'
	run bash -c "'$HUSK' --root='$STATE_ROOT' create --bundle='$BUNDLE' '$ID' </dev/null >'$BATS_TEST_TMPDIR/out' 2>&1"
	assert_success
	run "$HUSK" --root "$STATE_ROOT" list -q
	assert_success
	assert_output "$ID"
	run "$HUSK" --root="$STATE_ROOT" state "$ID"
	assert_success
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	# Another root does not see it.
	run "$HUSK" --root "$BATS_TEST_TMPDIR/other" list -q
	assert_success
	assert_output ''
	run husk delete --force "$ID"
	assert_success
}

@test "cli: -b and --bundle DIR are the same as --bundle=DIR" {
	make_bundle
	run husk run -b "$BUNDLE" "$ID-1"
	assert_success
	run husk run --bundle "$BUNDLE" "$ID-2"
	assert_success
	# Without --bundle the current directory is the bundle.
	cd "$BUNDLE"
	run husk run "$ID-3"
	assert_success
}

@test "cli: --log-format json writes one JSON object per line with level, msg, time" {
	local log=$BATS_TEST_TMPDIR/log.json
	run husk --log "$log" --log-format json state nosuchcontainer
	assert_failure
	[ -s "$log" ] || fail "nothing in $log"
	# Every line is a JSON object.
	run jq -e -c 'select(has("level") and has("msg") and has("time"))' "$log"
	assert_success
	run jq -r 'select(.level == "error") | .msg' "$log"
	assert_success
	assert_output --partial 'nosuchcontainer'
	# time is RFC 3339
	run jq -r .time "$log"
	assert_line --index 0 --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}'
}

@test "cli: --log=FILE (text) appends the error message" {
	local log=$BATS_TEST_TMPDIR/log.txt
	echo "previous line" >"$log"
	run husk --log="$log" state nosuchcontainer
	assert_failure
	run cat "$log"
	assert_line --index 0 'previous line'
	assert_output --partial 'nosuchcontainer'
}

@test "cli: --log-format other than text/json is refused" {
	run husk --log-format xml list
	assert_failure 1
	assert_output --partial 'log-format'
}

@test "cli: compatibility options are accepted" {
	run husk --rootless false list
	assert_success
	run husk --cgroup-manager cgroupfs list
	assert_success
	run husk --debug list
	assert_success
}

@test "cli: a missing container id is an error" {
	for c in create start state kill delete; do
		run husk "$c"
		assert_failure
		assert_output --regexp '[Ii][Dd]|usage|Usage'
	done
}

@test "cli: an id that is not a plain name is refused before anything is made" {
	make_bundle
	local long
	long=$(printf 'a%.0s' $(seq 1 1100))
	for bad in '../x' '.x' '..' '.' 'a/b' '/abs' "$long" 'a b' $'a\nb' ''; do
		run husk create --bundle "$BUNDLE" -- "$bad"
		assert_failure
		[ -n "$output" ] || fail "no message for id \`$bad\`"
		[ ! -e "$BATS_TEST_TMPDIR/x" ] || fail "\`$bad\` created $BATS_TEST_TMPDIR/x"
	done
	# Nothing was left under the state root.
	run husk list -q
	assert_success
	assert_output ''
	[ ! -e "$STATE_ROOT" ] || [ -z "$(ls -A "$STATE_ROOT")" ] || fail "state root not empty: $(ls -A "$STATE_ROOT")"
}

@test "cli: the same bad id is refused by state, kill and delete" {
	for c in state kill delete; do
		run husk "$c" '../etc'
		assert_failure
		[ -n "$output" ]
	done
}

@test "cli: features prints JSON with the spec version" {
	run husk features
	assert_success
	run jq -r .ociVersionMax <<<"$output"
	assert_output --regexp '^1\.3\.'
}

@test "cli: spec writes config.json in the current directory or --bundle, and refuses to overwrite" {
	cd "$BATS_TEST_TMPDIR"
	run husk spec
	assert_success
	jq -e '.ociVersion and .process.args and .root.path' config.json
	mkdir b2
	run husk spec --bundle b2
	assert_success
	[ -f b2/config.json ]
	run husk spec
	assert_failure
	assert_output --partial 'config.json'
}

@test "cli: spec --rootless maps the user and drops network/cgroup writes" {
	cd "$BATS_TEST_TMPDIR"
	run husk spec --rootless
	assert_success
	jq -e '.linux.namespaces | map(.type) | index("user")' config.json
	jq -e '.linux.uidMappings | length > 0' config.json
	jq -e '.linux.namespaces | map(.type) | index("network") == null' config.json
	jq -e '.linux.resources == null' config.json
	jq -e '.mounts[] | select(.destination == "/sys") | .options | index("rbind")' config.json
}

@test "cli: a config error reaches the --log-format json file naming the field" {
	make_bundle
	update_config '.linux.resources.memory.limit = "64m"'
	local log=$BATS_TEST_TMPDIR/log.json
	run husk --log "$log" --log-format json create --bundle "$BUNDLE" "$ID"
	assert_failure
	run jq -r 'select(.level == "error") | .msg' "$log"
	assert_success
	assert_output --partial 'linux.resources.memory.limit'
}

@test "cli: a long option after a single dash is the long option, as runc's parser takes it (containerd passes restore -no-subreaper)" {
	run husk list -quiet
	assert_success
	run husk list -format=json
	assert_success
	jq -e 'type == "array"' <<<"$output"
	# combined short flags stay short flags
	run husk list -qf json
	assert_success
}

@test "cli: a single-dash long name after the first operand is left alone (exec's command keeps its -env)" {
	make_bundle
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	run husk exec "$ID" echo -env -cwd=/x -root
	assert_success
	assert_output -- '-env -cwd=/x -root'
	run husk exec -cwd /tmp "$ID" pwd
	assert_success
	assert_output /tmp
	run husk exec --cwd /tmp "$ID" echo -env
	assert_output -- '-env'
	husk delete -f "$ID"
}
