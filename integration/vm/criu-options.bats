#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The checkpoint and restore options criu.bats leaves out, each with what it
# changes observably: --file-locks, --ext-unix-sk, --empty-ns network,
# --auto-dedup, --page-server, --lazy-pages with --status-fd.  One VM
# (vm-run, VM_ROOT=host: this machine's criu 3.17 on the Debian 6.1 kernel)
# runs those sections of integration/vm/criu-options.sh;
# criu-namespaces.bats runs the others.

load ../helpers
load vm-helpers

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	command -v criu >/dev/null || return 0
	criu_options_vm "locks unix emptyns dedup pageserver lazy"
}

setup() {
	command -v criu >/dev/null || fail "criu is not installed on the host (scripts/install-deps.sh)"
	vm_setup "CRIU does not work on this host's kernel"
}

@test "criu options VM: --file-locks: a held flock is dumped and held again by the restored process" {
	vm_is locks-held held
	# without --file-locks CRIU refuses, and husk says why in one line
	vm_is locks-without-rc 1
	grep -q '^locks-without-err: husk: checkpoint `fl`: criu dump failed (exit 1): .*--file-locks' "$SHARE"/out
	vm_ok locks-ckpt
	vm_is locks-freed-by-dump free
	vm_ok locks-restore
	vm_is locks-continues yes
	vm_is locks-held-again held
	vm_is locks-owner-in-container yes
}

@test "criu options VM: --ext-unix-sk: a socket connected to a listener outside goes on sending after restore" {
	vm_is unix-sending yes
	vm_is unix-without-rc 1
	grep -q '^unix-without-err: husk: checkpoint `us`: criu dump failed (exit 1): unix: External socket is used.*--ext-unix-sk' "$SHARE"/out ||
		fail "no refusal without --ext-unix-sk: $(grep '^unix-without' "$SHARE"/out)"
	vm_ok unix-ckpt
	vm_ok unix-restore
	vm_is unix-continues yes
	vm_is unix-in-order yes
}

@test "criu options VM: --empty-ns network: the restored network namespace is new and empty; a bad NS is refused" {
	vm_is emptyns-before 123
	vm_is emptyns-bad "1 husk: checkpoint \`en\`: --empty-ns \`ipc\`: only \`network\` is supported: Invalid argument"
	vm_ok emptyns-ckpt
	vm_ok emptyns-restore
	vm_is emptyns-continues yes
	vm_is emptyns-own-netns yes
	# the sysctl set before the checkpoint is what a new namespace has
	vm_is emptyns-after "$(sed -n 's/^emptyns-fresh: //p' "$SHARE"/out)"
}

@test "criu options VM: --auto-dedup: the final dump shrinks the pre-dump's images, restore shrinks what it read" {
	vm_ok dedup-predump
	vm_ok dedup-ckpt
	vm_ok dedup-restore
	vm_is dedup-continues yes
	local k0 k1 f0 f1
	read -r k0 k1 <<<"$(sed -n 's/^dedup-parent-kib: //p' "$SHARE"/out)"
	read -r f0 f1 <<<"$(sed -n 's/^dedup-final-kib: //p' "$SHARE"/out)"
	[ "$k1" -lt "$k0" ] || fail "the parent's images did not shrink: $k0 KiB then $k1 KiB"
	[ "$f1" -lt "$f0" ] || fail "the restored images did not shrink: $f0 KiB then $f1 KiB"
}

@test "criu options VM: --page-server: the pages go to a CRIU page server, the rest to --image-path; restore from both" {
	vm_is pageserver-started 0
	vm_is pageserver-bad "1 husk: checkpoint \`ps\`: --page-server \`nowhere\`: expected ADDRESS:PORT: Invalid argument"
	vm_ok pageserver-ckpt
	local src dst
	read -r _ src _ dst <<<"$(sed -n 's/^pageserver-pages: //p' "$SHARE"/out)"
	[ "$src" = 0 ] && [ "$dst" -ge 1 ] || fail "pages: $src in --image-path, $dst at the page server"
	vm_ok pageserver-restore
	vm_is pageserver-continues yes
}

@test "criu options VM: --lazy-pages --page-server --status-fd: the dump serves the memory, criu lazy-pages feeds the restore" {
	local why
	why=$(sed -n 's/^lazy-uffd: //p' "$SHARE"/out)
	[ "$why" = yes ] || skip "userfaultfd: $why"
	vm_is lazy-bad "1 husk: checkpoint \`lz\`: --lazy-pages needs --page-server ADDRESS:PORT: the dump serves the memory from there to \`criu lazy-pages\`: Invalid argument"
	# CRIU wrote \0 to --status-fd when its page server listened
	vm_is lazy-status-byte 00
	vm_is lazy-frozen yes
	vm_ok lazy-restore
	vm_ok lazy-ckpt
	vm_is lazy-daemon-rc 0
	vm_is lazy-source-status stopped
	vm_is lazy-restored-status running
	vm_is lazy-continues yes
}
