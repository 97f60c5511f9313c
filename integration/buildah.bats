#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# buildah (Debian's package) builds a Containerfile whose RUN steps run
# through `--runtime husk` (--isolation oci), as root and as a real
# unprivileged user (rootless-helpers; buildah maps the user's subordinate
# ranges and runs husk in that user namespace).  The base image is a
# one-layer docker-archive made from the busybox rootfs: no registry.
# HUSK=/usr/sbin/runc proves the harness.

load helpers
load rootless-helpers
load clients/podman-env

BASE=localhost/clients-busybox:latest

setup_file() {
	clients_need_packages buildah newuidmap
	clients_need_husk
	rootless_user_setup
	local r=$BATS_FILE_TMPDIR/rootfs
	"$CLIENTS_DIR"/make-rootfs.sh "$r" >/dev/null
	tar -C "$r" --numeric-owner -cf "$BATS_FILE_TMPDIR"/rootfs.tar .
	rm -rf "$r"
	/usr/bin/python3 "$CLIENTS_DIR"/make-image-archive.py "$BATS_FILE_TMPDIR"/rootfs.tar \
		"$ROOTLESS_HOME"/image.tar $BASE
	chown "$ROOTLESS_UID:$ROOTLESS_GID" "$ROOTLESS_HOME"/image.tar
	# a Containerfile with RUN steps: the first writes a file the second
	# and the built image must see
	CTX=$ROOTLESS_HOME/ctx
	install -d -o "$ROOTLESS_UID" -g "$ROOTLESS_GID" "$CTX"
	cat >"$CTX"/Containerfile <<EOF
FROM $BASE
RUN echo built-by-husk >/built && echo "uid_map: \$(tr -s ' ' </proc/self/uid_map | tr '\n' ' ')"
RUN test -f /built && echo "second-step: \$(cat /built)"
CMD ["cat", "/built"]
EOF
	printf 'FROM %s\nRUN echo failing-step; exit 3\n' $BASE >"$CTX"/Failfile
	chown -R "$ROOTLESS_UID:$ROOTLESS_GID" "$CTX"
	export CTX
}

teardown_file() {
	[ -n "${ROOTLESS_USER:-}" ] || return 0
	# the user's storage holds files of its subordinate ids: buildah
	# removes them in its own user namespace
	if [ -x "$ROOTLESS_HOME"/b/buildah ]; then
		as_user "$ROOTLESS_HOME"/b/buildah rm -a >/dev/null 2>&1 || true
		as_user "$ROOTLESS_HOME"/b/buildah rmi -af >/dev/null 2>&1 || true
	fi
	rootless_user_teardown
}

setup() { :; }
teardown() { :; }

# make_buildah DIR RUNTIME: DIR/buildah, buildah with its storage under DIR
# and RUNTIME given to every command as --runtime, through DIR/runtime,
# which records each runtime command line in DIR/calls
make_buildah() {
	local dir=$1 runtime=$2
	mkdir -p "$dir"
	cat >"$dir"/runtime <<EOF
#!/bin/sh
echo "\$*" >>$dir/calls
exec $runtime "\$@"
EOF
	cat >"$dir"/buildah <<EOF
#!/bin/sh
export CONTAINERS_CONF=/dev/null
cmd=\$1
shift
case \$cmd in
bud | build | run) set -- "\$cmd" --runtime $dir/runtime --isolation oci --network none "\$@" ;;
*) set -- "\$cmd" "\$@" ;;
esac
exec timeout -k 5 ${CLIENTS_CMD_TIMEOUT:-120} buildah --root $dir/root --runroot $dir/run --storage-driver vfs "\$@"
EOF
	chmod 0755 "$dir"/runtime "$dir"/buildah
}

# build_and_check AS... : build the Containerfile with buildah run as AS
# (nothing, or as_user), then run the image's CMD through husk
build_and_check() {
	local b=$B
	run "$@" "$b"/buildah pull -q docker-archive:"$ROOTLESS_HOME"/image.tar
	assert_status 0
	run "$@" "$b"/buildah bud -t localhost/built -f "$CTX"/Containerfile "$CTX"
	assert_status 0
	assert_output_contains "second-step: built-by-husk"
	assert_output_contains "Successfully tagged localhost/built:latest"
	UIDMAP=$(echo $(echo "$output" | sed -n 's/^uid_map: //p'))
	# each RUN step went through the runtime: create, start, delete
	[ "$(grep -c '^create ' "$b"/calls)" -ge 2 ] || fail "runtime calls: $(cat "$b"/calls)"
	grep -q '^start ' "$b"/calls || fail "no start: $(cat "$b"/calls)"
	grep -q '^delete ' "$b"/calls || fail "no delete: $(cat "$b"/calls)"
	# the built image holds the first step's file
	ctr=$("$@" "$b"/buildah from localhost/built)
	run "$@" "$b"/buildah run "$ctr" cat /built
	assert_status 0
	[ "$output" = built-by-husk ] || fail "the image's /built: $output"
	run "$@" "$b"/buildah rm "$ctr"
	assert_status 0
	# a failing RUN step fails the build with its exit status
	run "$@" "$b"/buildah bud -t localhost/fails -f "$CTX"/Failfile "$CTX"
	[ "$status" -ne 0 ] || fail "a RUN step exiting 3 built: $output"
	assert_output_contains "failing-step"
	assert_output_contains "exit status 3"
}

@test "buildah as root: RUN steps of a Containerfile run through husk" {
	B=$BATS_FILE_TMPDIR/b
	make_buildah "$B" "$HUSK"
	build_and_check
	[ "$UIDMAP" = "0 0 4294967295" ] || fail "RUN step's uid_map as root: '$UIDMAP'"
}

@test "buildah as an unprivileged user: RUN steps run through husk in the user's namespace" {
	B=$ROOTLESS_HOME/b
	install -d -o "$ROOTLESS_UID" -g "$ROOTLESS_GID" "$B"
	as_user sh -c ": >$B/calls"
	make_buildah "$B" "$ROOTLESS_HUSK"
	chown "$ROOTLESS_UID:$ROOTLESS_GID" "$B"/runtime "$B"/buildah
	build_and_check as_user
	# root in the RUN step is the user; 1.. its subordinate range
	[ "$UIDMAP" = "0 $ROOTLESS_UID 1 1 $ROOTLESS_SUBUID_START $ROOTLESS_SUBUID_COUNT" ] ||
		fail "RUN step's uid_map as the user: '$UIDMAP'"
}
