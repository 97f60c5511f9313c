# SPDX-License-Identifier: GPL-2.0-or-later
# A real unprivileged user for rootless tests, made by root and removed after.
# `load rootless-helpers` (after `load helpers`), then, per file or per test:
#
#   setup_file()    { rootless_user_setup; }     # or in setup()
#   teardown_file() { rootless_user_teardown; }
#
# rootless_user_setup creates a user with its own group, a home directory,
# subordinate id ranges in /etc/subuid and /etc/subgid (so newuidmap and
# newgidmap map ROOTLESS_SUBUID_COUNT ids for it) and an XDG_RUNTIME_DIR
# at /run/user/UID (0700, owned by the user), as a login session would.
# It exports:
#
#   ROOTLESS_USER ROOTLESS_UID ROOTLESS_GID ROOTLESS_HOME ROOTLESS_XDG
#   ROOTLESS_SUBUID_START ROOTLESS_SUBUID_COUNT
#   ROOTLESS_SUBGID_START ROOTLESS_SUBGID_COUNT
#   ROOTLESS_HUSK        a husk binary the user can execute ($HUSK when it
#                        can reach it, otherwise a copy in the user's home)
#   ROOTLESS_ROOTFS      a copy of the busybox rootfs the user can read
#                        ($ROOTFS_CACHE when readable, otherwise a copy)
#
# as_user [-u VAR]... CMD...   runs CMD as that user (setpriv: real and
#   effective ids, its groups, no inheritable capabilities) with a clean
#   environment: HOME USER LOGNAME PATH XDG_RUNTIME_DIR (-u VAR leaves VAR
#   out; VAR=VALUE words before CMD add to it, as env(1) takes them).
# husk_as_user ARG...          `husk` as that user, bounded in time.
# rootless_make_bundle [DIR]   a bundle the user owns: a rootfs copied by
#   the user and `husk spec --rootless` run by the user.
#
# rootless_user_teardown kills every process of the user, unmounts what is
# left under its home and runtime directory, and removes the user, its
# group, home, runtime directory, subordinate ranges and the directories
# rootless_make_bundle made.

# The user name: short, unique per bats process and test, starting with a
# letter (useradd's NAME_REGEX).
rootless_user_name() {
	echo "hrl$$t${BATS_TEST_NUMBER:-0}"
}

rootless_user_setup() {
	command -v useradd >/dev/null || fail "useradd missing (package passwd)"
	command -v setpriv >/dev/null || fail "setpriv missing (package util-linux)"
	local name i
	name=$(rootless_user_name)
	# useradd takes /etc/passwd's lock; another test run may hold it.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		useradd --create-home --user-group --shell /bin/sh "$name" 2>"$BATS_TMPDIR/useradd.$$" && break
		grep -q 'cannot lock\|try again' "$BATS_TMPDIR/useradd.$$" ||
			fail "useradd $name: $(cat "$BATS_TMPDIR/useradd.$$")"
		sleep 0.5
	done
	rm -f "$BATS_TMPDIR/useradd.$$"
	getent passwd "$name" >/dev/null || fail "useradd $name: user not created"
	ROOTLESS_USER=$name
	ROOTLESS_UID=$(id -u "$name")
	ROOTLESS_GID=$(id -g "$name")
	ROOTLESS_HOME=$(getent passwd "$name" | cut -d: -f6)
	ROOTLESS_XDG=/run/user/$ROOTLESS_UID
	export ROOTLESS_USER ROOTLESS_UID ROOTLESS_GID ROOTLESS_HOME ROOTLESS_XDG
	rootless_subids_ensure
	mkdir -p /run/user
	rm -rf "$ROOTLESS_XDG"
	install -d -m 0700 -o "$ROOTLESS_UID" -g "$ROOTLESS_GID" "$ROOTLESS_XDG"
	rootless_binary_ensure
	rootless_rootfs_ensure
}

# Subordinate ranges: Debian's useradd allots them from login.defs
# (SUB_UID_MIN...); when it did not, take the first free 65536 ids above
# every range already given.
rootless_subids_ensure() {
	local kind file start count
	for kind in uid gid; do
		file=/etc/sub$kind
		[ -e "$file" ] || touch "$file"
		if ! grep -q "^$ROOTLESS_USER:" "$file"; then
			start=$(awk -F: 'BEGIN {m = 100000} {e = $2 + $3; if (e > m) m = e} END {print m}' "$file")
			usermod "--add-sub${kind}s" "$start-$((start + 65535))" "$ROOTLESS_USER" ||
				fail "usermod --add-sub${kind}s for $ROOTLESS_USER failed"
		fi
		start=$(awk -F: -v u="$ROOTLESS_USER" '$1 == u {print $2; exit}' "$file")
		count=$(awk -F: -v u="$ROOTLESS_USER" '$1 == u {print $3; exit}' "$file")
		[ -n "$start" ] && [ "${count:-0}" -gt 0 ] || fail "no range for $ROOTLESS_USER in $file"
		if [ $kind = uid ]; then
			ROOTLESS_SUBUID_START=$start ROOTLESS_SUBUID_COUNT=$count
		else
			ROOTLESS_SUBGID_START=$start ROOTLESS_SUBGID_COUNT=$count
		fi
	done
	export ROOTLESS_SUBUID_START ROOTLESS_SUBUID_COUNT ROOTLESS_SUBGID_START ROOTLESS_SUBGID_COUNT
}

# The binary under test, where the user can run it: a build tree under a
# directory the user cannot enter (/root, a 0700 checkout) gets a copy.
rootless_binary_ensure() {
	ROOTLESS_HUSK=$HUSK
	if ! as_user "$HUSK" --version >/dev/null 2>&1; then
		install -d -m 0755 -o "$ROOTLESS_UID" -g "$ROOTLESS_GID" "$ROOTLESS_HOME/bin"
		install -m 0755 "$HUSK" "$ROOTLESS_HOME/bin/husk"
		ROOTLESS_HUSK=$ROOTLESS_HOME/bin/husk
		as_user "$ROOTLESS_HUSK" --version >/dev/null ||
			fail "user $ROOTLESS_USER cannot run $ROOTLESS_HUSK"
	fi
	export ROOTLESS_HUSK
}

rootless_rootfs_ensure() {
	ensure_rootfs
	ROOTLESS_ROOTFS=$ROOTFS_CACHE
	if ! as_user sh -c 'test -x "$1/bin/busybox" && find "$1" ! -readable | grep -q . && exit 1; exit 0' \
		sh "$ROOTFS_CACHE" 2>/dev/null; then
		ROOTLESS_ROOTFS=$ROOTLESS_HOME/rootfs-cache
		rm -rf "$ROOTLESS_ROOTFS"
		cp -a "$ROOTFS_CACHE" "$ROOTLESS_ROOTFS"
		chown -R "$ROOTLESS_UID:$ROOTLESS_GID" "$ROOTLESS_ROOTFS"
		chmod 0755 "$ROOTLESS_HOME"
	fi
	export ROOTLESS_ROOTFS
}

as_user() {
	local unset=() e
	while [ "${1:-}" = -u ]; do
		unset+=("$2")
		shift 2
	done
	local envv=("HOME=$ROOTLESS_HOME" "USER=$ROOTLESS_USER" "LOGNAME=$ROOTLESS_USER"
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
		"XDG_RUNTIME_DIR=$ROOTLESS_XDG")
	for e in "${unset[@]}"; do
		envv=("${envv[@]/#$e=*/}")
	done
	local clean=()
	for e in "${envv[@]}"; do [ -n "$e" ] && clean+=("$e"); done
	(cd / && setpriv --reuid="$ROOTLESS_UID" --regid="$ROOTLESS_GID" --init-groups \
		--inh-caps=-all -- env -i "${clean[@]}" "$@")
}

husk_as_user() {
	as_user timeout -k 5 "${HUSK_CMD_TIMEOUT:-60}" "$ROOTLESS_HUSK" "$@"
}

# rootless_make_bundle [DIR]: DIR (default: a new directory under /tmp)
# owned by the user, with rootfs/ copied by the user and config.json from
# `husk spec --rootless` run by the user, made non-interactive and running
# `true`.  Sets RL_BUNDLE.
rootless_make_bundle() {
	local dir=${1:-}
	if [ -z "$dir" ]; then
		dir=$(mktemp -d /tmp/husk-rl.XXXXXX)
	else
		mkdir -p "$dir"
	fi
	chown "$ROOTLESS_UID:$ROOTLESS_GID" "$dir"
	chmod 0755 "$dir"
	echo "$dir" >>"$ROOTLESS_HOME/.husk-test-dirs"
	as_user cp -a "$ROOTLESS_ROOTFS" "$dir/rootfs" || fail "user cannot copy $ROOTLESS_ROOTFS"
	(cd "$dir" && as_user sh -c 'cd "$1" && "$2" spec --rootless' sh "$dir" "$ROOTLESS_HUSK") ||
		fail "husk spec --rootless failed in $dir"
	CONFIG=$dir/config.json update_config '
		.root.path = "rootfs" | .root.readonly = false
		| .process.terminal = false
		| .process.args = ["true"]'
	chown "$ROOTLESS_UID:$ROOTLESS_GID" "$dir/config.json"
	chmod 0644 "$dir/config.json"
	RL_BUNDLE=$dir
	export RL_BUNDLE
}

# The pids of the user's processes.
rootless_user_pids() {
	local p uid
	for p in /proc/[0-9]*; do
		uid=$(awk '/^Uid:/ {print $2; exit}' "$p/status" 2>/dev/null) || continue
		[ "$uid" = "$ROOTLESS_UID" ] && echo "${p#/proc/}"
	done
	return 0
}

rootless_user_teardown() {
	[ -n "${ROOTLESS_USER:-}" ] || return 0
	local p i d
	for i in 1 2 3 4 5; do
		p=$(rootless_user_pids)
		[ -z "$p" ] && break
		# shellcheck disable=SC2086
		kill -KILL $p 2>/dev/null || true
		sleep 0.2
	done
	for d in "$ROOTLESS_HOME" "$ROOTLESS_XDG"; do
		awk -v d="$d/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo |
			sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	done
	if [ -f "$ROOTLESS_HOME/.husk-test-dirs" ]; then
		while read -r d; do
			case $d in /tmp/husk-rl.* | "$BATS_TMPDIR"/*) rm -rf "$d" ;; esac
		done <"$ROOTLESS_HOME/.husk-test-dirs"
	fi
	rm -rf "$ROOTLESS_XDG"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		userdel --remove "$ROOTLESS_USER" 2>/dev/null && break
		getent passwd "$ROOTLESS_USER" >/dev/null || break
		sleep 0.5
	done
	rm -rf "$ROOTLESS_HOME"
	# userdel drops the subordinate ranges; a ranges file it could not
	# lock keeps them, so make sure.
	local f
	for f in /etc/subuid /etc/subgid; do
		if grep -q "^$ROOTLESS_USER:" "$f" 2>/dev/null; then
			sed -i "/^$ROOTLESS_USER:/d" "$f"
		fi
	done
	getent group "$ROOTLESS_USER" >/dev/null && groupdel "$ROOTLESS_USER" 2>/dev/null
	unset ROOTLESS_USER
	return 0
}
