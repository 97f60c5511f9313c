# Sourced by integration/podman.bats: a private podman (own containers.conf,
# storage.conf, registries.conf, root, runroot) that runs $HUSK through conmon.
# HUSK may name another OCI runtime (HUSK=/usr/sbin/runc) to prove the harness.

source "$(dirname "${BASH_SOURCE[0]}")"/common.bash

# Every path the tests need is under PODMAN_DIR; short, because conmon's
# attach socket path must fit in sun_path.
podman_nproc() {
	local h; h=$(ulimit -Hu)
	[ "$h" = unlimited ] || [ "$h" -gt 32768 ] && h=32768
	echo "$h"
}

podman_env_init() {
	PODMAN_DIR=$1
	mkdir -p "$PODMAN_DIR"/tmp "$PODMAN_DIR"/run "$PODMAN_DIR"/root "$PODMAN_DIR"/networks "$PODMAN_DIR"/cwd
	sed -e "s|@HUSK@|$HUSK|g" -e "s|@DIR@|$PODMAN_DIR|g" -e "s|@NOFILE@|$(ulimit -Hn)|g" -e "s|@NPROC@|$(podman_nproc)|g" \
		"$CLIENTS_DIR"/containers.conf.in > "$PODMAN_DIR"/containers.conf
	sed -e "s|@DIR@|$PODMAN_DIR|g" "$CLIENTS_DIR"/storage.conf.in > "$PODMAN_DIR"/storage.conf
	cp "$CLIENTS_DIR"/registries.conf "$PODMAN_DIR"/registries.conf
	podman_write_wrapper
}

# podman with the private configuration and husk as the runtime, as a script
# so `script -c` (with_tty) can run it too; a runtime that hangs fails the
# command after CLIENTS_CMD_TIMEOUT seconds instead of the whole suite.
# It runs in PODMAN_DIR/cwd: conmon, which podman starts in its own working
# directory, creates an empty file `oom` there when the container is
# OOM-killed (it was left in the checkout the suite ran from).  Every path
# the tests give podman is absolute.
podman_write_wrapper() {
	cat > "$PODMAN_DIR"/podman <<WRAP
#!/bin/sh
cd $PODMAN_DIR/cwd || exit 125
export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
export CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf
export CONTAINERS_REGISTRIES_CONF=$PODMAN_DIR/registries.conf
exec timeout --foreground -k 5 ${CLIENTS_CMD_TIMEOUT:-90} podman --root $PODMAN_DIR/root --runroot $PODMAN_DIR/run --tmpdir $PODMAN_DIR/tmp \\
	--runtime husk --cgroup-manager cgroupfs --events-backend file "\$@"
WRAP
	chmod +x "$PODMAN_DIR"/podman
}

hpodman() {
	"$PODMAN_DIR"/podman "$@"
}

# hpodman_rm_f NAME: `podman rm -f -t 0 NAME`.  podman 4.3's rm can race its
# own `container cleanup` (started by conmon when the container dies) and
# fail with EBUSY on userdata/shm, a podman bug whatever the runtime
# (containers/podman issue 11594): only that failure gets a second rm.
hpodman_rm_f() {
	local out rc=0
	out=$("$PODMAN_DIR"/podman rm -f -t 0 "$1" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] && [[ "$out" == *"userdata/shm: device or resource busy"* ]]; then
		echo "podman rm raced its cleanup (podman issue 11594), removing again" >&2
		rc=0
		out=$("$PODMAN_DIR"/podman rm -f -t 0 "$1" 2>&1) || rc=$?
		[[ "$out" != *"no such container"* ]] || rc=0
	fi
	echo "$out"
	return "$rc"
}

# the image every test runs: busybox-static, imported from a local tar
podman_import_busybox() {
	local r=$PODMAN_DIR/rootfs
	rm -rf "$r"
	"$CLIENTS_DIR"/make-rootfs.sh "$r"
	tar -C "$r" --numeric-owner -cf "$PODMAN_DIR"/rootfs.tar .
	hpodman import --change 'CMD ["sh"]' --change 'ENV PATH=/bin' \
		"$PODMAN_DIR"/rootfs.tar localhost/clients-busybox:latest
}
