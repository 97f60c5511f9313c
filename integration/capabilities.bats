#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# process.capabilities, noNewPrivileges and the Seccomp mode, read from
# /proc/self/status inside the container and compared with what the config
# asks for after the kernel's execve rules (capabilities(7)):
#   uid 0:     P' = bounding | inheritable | ambient, E' = P'
#              (and with noNewPrivileges, P' is limited to the old permitted)
#   other uid: P' = E' = ambient (busybox has no file capabilities)
# Inheritable, bounding and ambient pass execve unchanged.

load helpers

setup() {
	husk_setup
	make_bundle
}

# Capability numbers: the kernel ABI (include/uapi/linux/capability.h).
CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
	LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
	SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
	SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
	MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
	CHECKPOINT_RESTORE)

# mask_of SET: the hex mask of process.capabilities.SET in $BUNDLE/config.json,
# limited to what the runtime itself holds (husk warns and skips the rest).
mask_of() {
	local name i mask=0
	for name in $(jq -r ".process.capabilities.$1 // [] | .[]" "$BUNDLE/config.json"); do
		for i in "${!CAP_NAMES[@]}"; do
			[ "CAP_${CAP_NAMES[$i]}" = "$name" ] && mask=$((mask | (1 << i)))
		done
	done
	printf '%d' $((mask & HOST_BND))
}

hex16() {
	printf '%016x' "$1"
}

# status_field FIELD: a line of the container's /proc/self/status ($output).
status_field() {
	awk -v f="$1:" '$1 == f {print $2}' <<<"$output"
}

# check_caps_against_config: run `cat /proc/self/status` and compare.
check_caps_against_config() {
	HOST_BND=$((16#$(awk '$1 == "CapBnd:" {print $2}' /proc/self/status)))
	local bnd inh amb prm eff uid
	bnd=$(mask_of bounding)
	inh=$(mask_of inheritable)
	amb=$(mask_of ambient)
	prm=$(mask_of permitted)
	uid=$(jq -r '.process.user.uid' "$BUNDLE/config.json")
	# the kernel keeps an ambient cap only while it is permitted and inheritable
	amb=$((amb & prm & inh))
	local cfg_prm=$prm
	if [ "$uid" = 0 ]; then
		prm=$((bnd | inh | amb))
		# no_new_privs: execve never gains what was not permitted before
		if [ "$(jq -r '.process.noNewPrivileges // false' "$BUNDLE/config.json")" = true ]; then
			prm=$((prm & cfg_prm))
		fi
	else
		prm=$amb
	fi
	eff=$prm
	run_in_container cat /proc/self/status
	assert_success
	[ "$(status_field CapBnd)" = "$(hex16 "$bnd")" ] || fail "CapBnd $(status_field CapBnd), expected $(hex16 "$bnd")"
	[ "$(status_field CapInh)" = "$(hex16 "$inh")" ] || fail "CapInh $(status_field CapInh), expected $(hex16 "$inh")"
	[ "$(status_field CapAmb)" = "$(hex16 "$amb")" ] || fail "CapAmb $(status_field CapAmb), expected $(hex16 "$amb")"
	[ "$(status_field CapPrm)" = "$(hex16 "$prm")" ] || fail "CapPrm $(status_field CapPrm), expected $(hex16 "$prm")"
	[ "$(status_field CapEff)" = "$(hex16 "$eff")" ] || fail "CapEff $(status_field CapEff), expected $(hex16 "$eff")"
	local nnp
	nnp=$(jq -r 'if .process.noNewPrivileges then 1 else 0 end' "$BUNDLE/config.json")
	[ "$(status_field NoNewPrivs)" = "$nnp" ] || fail "NoNewPrivs $(status_field NoNewPrivs), expected $nnp"
	local sc
	sc=$(jq -r 'if .linux.seccomp then 2 else 0 end' "$BUNDLE/config.json")
	# tests/kernel-compat's own filter is inherited by the container
	[ -z "${HUSK_KERNEL_COMPAT:-}" ] || sc=2
	[ "$(status_field Seccomp)" = "$sc" ] || fail "Seccomp $(status_field Seccomp), expected $sc"
}

@test "capabilities: the spec template's sets, exactly" {
	check_caps_against_config
}

@test "capabilities: every set different, root" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETPCAP", "CAP_NET_RAW"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		"effective": ["CAP_CHOWN", "CAP_KILL"],
		"inheritable": ["CAP_KILL", "CAP_NET_RAW"],
		"ambient": ["CAP_KILL"]}'
	check_caps_against_config
	# not a hard-coded answer, but make sure the sets really differ
	[ "$(status_field CapInh)" != "$(status_field CapBnd)" ]
	[ "$(status_field CapAmb)" != 0000000000000000 ]
}

@test "capabilities: non-root user keeps only its ambient caps across execve" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
		"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL", "CAP_CHOWN"],
		"permitted": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"effective": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"inheritable": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	check_caps_against_config
	[ "$(status_field CapPrm)" = "$(status_field CapAmb)" ]
	[ "$(status_field CapAmb)" != 0000000000000000 ]
}

@test "capabilities: no inheritable and no ambient given -> none at all (CVE-2022-29162)" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", "CAP_SETPCAP"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", "CAP_SETPCAP"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN", "CAP_SETPCAP"]}'
	check_caps_against_config
	[ "$(status_field CapInh)" = 0000000000000000 ]
	[ "$(status_field CapAmb)" = 0000000000000000 ]
}

@test "capabilities: ambient without inheritable (as buildah asks) is dropped quietly, said with --debug" {
	caps='["CAP_CHOWN", "CAP_KILL"]'
	update_config ".process.capabilities = {\"bounding\": $caps, \"permitted\": $caps,
		\"effective\": $caps, \"ambient\": $caps}
		| .process.args = [\"sh\", \"-c\", \"grep CapAmb /proc/self/status\"]"
	run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output "CapAmb:	0000000000000000"
	run husk --debug run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output --partial "process.capabilities.ambient: 0x21 not both permitted and inheritable, skipped"
}

@test "capabilities: an empty object drops everything" {
	update_config '.process.capabilities = {}'
	check_caps_against_config
	[ "$(status_field CapBnd)" = 0000000000000000 ]
	[ "$(status_field CapEff)" = 0000000000000000 ]
}

@test "capabilities: unknown names are a warning, not an error" {
	update_config '.process.capabilities.bounding += ["CAP_NOT_A_THING"]
		| .process.capabilities.effective += ["CAP_NOT_A_THING"]'
	check_caps_against_config
	run_in_container true
	assert_success
	assert_output --partial "CAP_NOT_A_THING"
}

@test "capabilities: an effective cap that is not permitted is refused" {
	update_config '.process.capabilities.permitted = ["CAP_KILL"]
		| .process.capabilities.effective = ["CAP_KILL", "CAP_CHOWN"]'
	run_in_container true
	assert_failure
	assert_output --partial "effective"
}

@test "capabilities: the dropped bounding caps are really gone (chown fails)" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_KILL"], "permitted": ["CAP_KILL"], "effective": ["CAP_KILL"]}'
	run_in_container sh -c 'touch /tmp/f && chown 1:1 /tmp/f'
	assert_failure
	assert_output --partial "not permitted"
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"]}'
	run_in_container sh -c 'touch /tmp/f && chown 1:1 /tmp/f && stat -c %u:%g /tmp/f'
	assert_success
	assert_output "1:1"
}

@test "noNewPrivileges: false and true both observed" {
	update_config '.process.noNewPrivileges = false'
	check_caps_against_config
	[ "$(status_field NoNewPrivs)" = 0 ]
	update_config '.process.noNewPrivileges = true'
	check_caps_against_config
	[ "$(status_field NoNewPrivs)" = 1 ]
}
