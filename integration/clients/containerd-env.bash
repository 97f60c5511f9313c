# Sourced by integration/containerd.bats: a private containerd (own config,
# root, state, sockets) whose runc shim runs $HUSK as its runtime binary.

source "$(dirname "${BASH_SOURCE[0]}")"/common.bash

CTR_NS=clients

containerd_env_init() {
	CTRD_DIR=$1
	mkdir -p "$CTRD_DIR"/cni/bin "$CTRD_DIR"/cni/conf
	sed -e "s|@HUSK@|$HUSK|g" -e "s|@DIR@|$CTRD_DIR|g" \
		"$CLIENTS_DIR"/containerd-config.toml.in > "$CTRD_DIR"/config.toml
	containerd_write_wrapper
}

# start containerd in the background; its pid goes to $CTRD_DIR/containerd.pid
containerd_start() {
	containerd --config "$CTRD_DIR"/config.toml > "$CTRD_DIR"/containerd.log 2>&1 &
	echo $! > "$CTRD_DIR"/containerd.pid
	retry 100 hctr version >/dev/null 2>&1 || {
		cat "$CTRD_DIR"/containerd.log >&2
		return 1
	}
}

# remove every task and container of our namespace, then what containerd
# leaves behind: snapshot mounts under $CTRD_DIR, the /<ns> cgroups
containerd_cleanup() {
	local id
	for id in $(hctr task ls -q 2>/dev/null); do
		hctr task kill -s KILL "$id" >/dev/null 2>&1
		hctr task rm -f "$id" >/dev/null 2>&1
	done
	for id in $(hctr container ls -q 2>/dev/null); do
		hctr container rm "$id" >/dev/null 2>&1
	done
}

containerd_stop() {
	local pid
	pid=$(cat "$CTRD_DIR"/containerd.pid 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	retry 100 test ! -d /proc/"$pid" || kill -9 "$pid"
}

# ctr against the private containerd, as a script so with_tty can run it
containerd_write_wrapper() {
	cat > "$CTRD_DIR"/ctr <<WRAP
#!/bin/sh
exec timeout --foreground -k 5 ${CLIENTS_CMD_TIMEOUT:-90} ctr --address $CTRD_DIR/c.sock --namespace $CTR_NS "\$@"
WRAP
	chmod +x "$CTRD_DIR"/ctr
}

hctr() {
	"$CTRD_DIR"/ctr "$@"
}

# ctr run with the runc shim running husk; state under $CTRD_DIR/runc/<ns>
hctr_run() {
	hctr run --runtime io.containerd.runc.v2 --runc-binary "$HUSK" \
		--runc-root "$CTRD_DIR"/runc "$@"
}

# a docker-archive of the busybox rootfs, imported without any registry
containerd_import_busybox() {
	local r=$CTRD_DIR/rootfs
	rm -rf "$r"
	"$CLIENTS_DIR"/make-rootfs.sh "$r"
	tar -C "$r" --numeric-owner -cf "$CTRD_DIR"/rootfs.tar .
	python3 "$CLIENTS_DIR"/make-image-archive.py "$CTRD_DIR"/rootfs.tar \
		"$CTRD_DIR"/image.tar localhost/clients-busybox:latest
	hctr image import "$CTRD_DIR"/image.tar
}
