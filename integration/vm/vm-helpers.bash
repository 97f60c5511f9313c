# SPDX-License-Identifier: GPL-2.0-or-later
# For VM tests whose setup_file boots one VM that prints `KEY: VALUE` lines
# (and `done` last) into $BATS_FILE_TMPDIR/share/out.

# vm_setup WHY: skip without vm-run (saying WHY it is needed); fail every
# test when the VM did not finish.
vm_setup() {
	[ -x "$VM_RUN" ] || skip "no vm-run at $VM_RUN: $1"
	SHARE=$BATS_FILE_TMPDIR/share
	# a guest kernel oops scrolls out of the tail: name it first
	grep -qx done "$SHARE"/out ||
		fail "the VM run did not finish: $(grep -m3 -E 'Oops|Kernel panic|BUG:' "$SHARE"/err)
$(cat "$SHARE"/out) $(tail -30 "$SHARE"/err)"
}

# vm_is KEY VALUE: the VM printed `KEY: VALUE`
vm_is() {
	local got
	got=$(sed -n "s/^$1: //p" "$SHARE"/out)
	[ "$got" = "$2" ] || fail "$1: '$got', expected '$2' (VM output: $(cat "$SHARE"/out))"
}

# vm_ok PREFIX: the VM printed `PREFIX-rc: 0`; otherwise fail with its
# `PREFIX-err: ` lines
vm_ok() {
	local rc
	rc=$(sed -n "s/^$1-rc: //p" "$SHARE"/out)
	[ "$rc" = 0 ] || fail "$1: rc '$rc': $(grep "^$1-err: " "$SHARE"/out)"
}

# ---- setup_file: what a VM test hands to its VM through the share ----

# vm_share FILE...: a fresh $SHARE (exported; the VM sees it at the same
# path) holding husk and the named files of the test's directory; sets
# REPO.  husk is the real binary: the kernel-compat wrapper of the old
# kernel pass only runs on this host.
vm_share() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	SHARE=$BATS_FILE_TMPDIR/share
	export SHARE
	mkdir -p "$SHARE"
	cp "${HUSK_REAL:-$HUSK}" "$SHARE/husk"
	local f
	for f; do cp "$BATS_TEST_DIRNAME/$f" "$SHARE/"; done
}

# vm_share_rootfs dir|tar: the busybox rootfs of scripts/make-rootfs.sh in
# $SHARE, as the directory rootfs/ or the archive busybox.tar.
vm_share_rootfs() {
	"$REPO/scripts/make-rootfs.sh" "$ROOTFS_CACHE" >/dev/null
	if [ "$1" = tar ]; then
		tar -C "$ROOTFS_CACHE" --numeric-owner -cf "$SHARE/busybox.tar" .
	else
		cp -a "$ROOTFS_CACHE" "$SHARE/rootfs"
	fi
}

# vm_share_base ROOTFS [--rootless]: $SHARE/spec.json from `husk spec`, and
# $SHARE/base.json: the same with the rootfs at ROOTFS (a path in the VM),
# writable, without a terminal.  The tests' cfg() derive from base.json.
vm_share_base() {
	(cd "$SHARE" && ./husk spec ${2:+"$2"} && mv config.json spec.json)
	jq --arg root "$1" '.root.path = $root | .root.readonly = false | .process.terminal = false' \
		"$SHARE/spec.json" >"$SHARE/base.json"
}

# vm_share_clients: the client fixtures podman needs (integration/clients)
# and their busybox image as $SHARE/busybox.tar.
vm_share_clients() {
	mkdir -p "$SHARE/clients" "$SHARE/rootfs"
	cp "$REPO"/integration/clients/{common.bash,podman-env.bash,containers.conf.in,storage.conf.in,registries.conf} \
		"$SHARE/clients/"
	"$REPO/integration/clients/make-rootfs.sh" "$SHARE/rootfs"
	tar -C "$SHARE/rootfs" --numeric-owner -cf "$SHARE/busybox.tar" .
	rm -rf "$SHARE/rootfs"
}

# criu_options_vm SECTIONS: boot the VM that runs those sections of
# criu-options.sh (setup_file of criu-options.bats, criu-namespaces.bats)
criu_options_vm() {
	vm_share criu-options.sh
	vm_share_rootfs tar
	VM_ROOT=host VM_SHARE=$SHARE VM_TIMEOUT=${VM_TIMEOUT:-900} \
		"$VM_RUN" "CRIU_OPTIONS_TESTS='$1' bash $SHARE/criu-options.sh $SHARE" \
		>"$SHARE"/out 2>"$SHARE"/err || true
}
