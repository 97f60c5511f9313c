#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# podman-rootless.sh SHARE - runs as root inside a vm-run VM booted with
# systemd (VM_INIT=systemd, pure cgroup v2, VM_ROOT=image with podman,
# uidmap and systemd-container installed).  It makes an unprivileged user
# with subuid/subgid ranges, starts that user's systemd manager with
# `loginctl enable-linger` (which gives the user a delegated cgroup v2
# subtree, user@UID.service, and a bus at $XDG_RUNTIME_DIR/bus), then runs
# `podman-rootless.sh SHARE user MANAGER` as the user inside that manager
# (`systemd-run --user --machine=USER@`), once with podman's systemd cgroup
# manager and once with cgroupfs.  Prints `KEY: VALUE` lines for
# podman-rootless.bats, then `done`.
set -u
share=$1
mode=${2:-root}
user=huskrl
img=localhost/clients-busybox

# ---- as the user, inside the user's systemd manager ----------------------
if [ "$mode" = user ]; then
	mgr=$3
	p() { echo "$mgr-$1: $2"; }
	export HUSK=/usr/local/bin/husk CLIENTS_CMD_TIMEOUT=120
	# shellcheck disable=SC1091 # copied into SHARE by podman-rootless.bats
	. "$share"/clients/podman-env.bash
	# one storage for both rounds: only the cgroup manager changes
	[ -d "$HOME"/cp ] && PODMAN_DIR=$HOME/cp || podman_env_init "$HOME"/cp
	sed -i "s/^cgroup_manager = .*/cgroup_manager = \"$mgr\"/" "$PODMAN_DIR"/containers.conf
	sed -i "s/--cgroup-manager [a-z]*/--cgroup-manager $mgr/" "$PODMAN_DIR"/podman
	p uid "$(id -u)"
	own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
	cgp=()
	if [ "$mgr" = cgroupfs ]; then
		# rootless podman with cgroupfs gives the runtime no cgroupsPath
		# unless --cgroup-parent names one the user owns: this service's
		# delegated cgroup, with the script itself moved to a leaf so
		# the controllers can be enabled for the containers beside it
		mkdir /sys/fs/cgroup"$own"/script
		echo $$ >/sys/fs/cgroup"$own"/script/cgroup.procs
		echo "+memory +pids" >/sys/fs/cgroup"$own"/cgroup.subtree_control
		cgp=(--cgroup-parent "$own")
	fi
	p cgroup-parent "${cgp[*]}"
	if [ "$mgr" = systemd ]; then
		hpodman import -q --change 'CMD ["sh"]' --change 'ENV PATH=/bin' "$share"/busybox.tar $img:latest >/dev/null
		p import $?
		out=$(hpodman run --rm $img sh -c 'cat /proc/self/uid_map; echo hello-rootless; exit 3' 2>&1)
		p run-rm $?
		p run-rm-out "$(echo "$out" | tr -s ' \n' ' ')"
		p run-rm-left "$(hpodman ps -aq | wc -l)"
	fi

	id=$(hpodman run -d --init "${cgp[@]}" --memory 64m --pids-limit 40 $img sleep 1000)
	p run-d $?
	read -r runtime pid < <(hpodman inspect --format '{{.OCIRuntime}} {{.State.Pid}}' "$id")
	p runtime "$runtime"
	cg=$(awk -F: '$1 == "0" { print $3 }' /proc/"$pid"/cgroup)
	p cgroup "$cg"
	p memory.max "$(cat /sys/fs/cgroup"$cg"/memory.max)"
	p pids.max "$(cat /sys/fs/cgroup"$cg"/pids.max)"
	p inside-memory.max "$(hpodman exec "$id" cat /sys/fs/cgroup/memory.max)"
	# an exec'd process joins the container's cgroup (its limits too)
	out=$(hpodman exec "$id" sh -c 'cat /proc/self/cgroup /proc/1/cgroup' 2>&1)
	p exec-cgroup "$([ "$(echo "$out" | sed -n 1p)" = "$(echo "$out" | sed -n 2p)" ] && echo same || echo "$out" | tr '\n' ' ')"
	# 50 forks against pids.max 40.  The children are the user's own
	# processes on the host (root inside maps to the user): end them from
	# here, then catatonit (--init) reaps them and the container can fork
	# again
	out=$(hpodman exec "$id" sh -c 'i=0; while [ $i -lt 50 ]; do sleep 999 </dev/null >/dev/null 2>&1 & i=$((i+1)); done' 2>&1)
	p pids-limit-cant-fork "$(echo "$out" | grep -c "can't fork")"
	pkill -x -f 'sleep 999'
	for _ in $(seq 50); do
		[ "$(cat /sys/fs/cgroup"$cg"/pids.current)" -le 3 ] && break
		sleep 0.2
	done
	if [ "$mgr" = systemd ]; then
		scope=libpod-$id.scope
		p unit-active "$(systemctl --user is-active "$scope")"
		p unit-MemoryMax "$(systemctl --user show -p MemoryMax --value "$scope")"
	fi

	hpodman pause "$id" >/dev/null
	p pause $?
	p paused-status "$(hpodman inspect --format '{{.State.Status}}' "$id")"
	p cgroup.freeze "$(cat /sys/fs/cgroup"$cg"/cgroup.freeze)"
	p sleep-state "$(awk '{ print $3 }' /proc/"$pid"/stat)"
	hpodman unpause "$id" >/dev/null
	p unpause $?
	p unpaused-status "$(hpodman inspect --format '{{.State.Status}}' "$id")"
	p thawed "$(hpodman exec "$id" echo thawed)"

	p stats "$(hpodman stats --no-stream --format '{{.PIDs}} {{.MemUsage}}' "$id" 2>&1 | tr '\n' ' ')"

	hpodman rm -f -t 0 "$id" >/dev/null
	p rm-f $?
	p rm-f-left "$(hpodman ps -aq | wc -l)"
	for _ in $(seq 50); do
		[ -d /sys/fs/cgroup"$cg" ] || break
		sleep 0.2
	done
	p rm-f-cgroup-gone "$([ -d /sys/fs/cgroup"$cg" ] && echo no || echo yes)"
	# nothing of the container (its id, a libpod scope or cgroup) left
	# anywhere under the user's slice
	slice=/sys/fs/cgroup/user.slice/user-$(id -u).slice
	p slice-left "$(find "$slice" -type d \( -name "*$id*" -o -name 'libpod*' \) | wc -l)"
	if [ "$mgr" = systemd ]; then
		# the checks of integration/podman-rootless.bats that need no
		# terminal, once, for this podman
		p keep-id "$(hpodman run --rm --userns=keep-id $img id -u 2>&1)"
		p uidmap "$(hpodman run --rm --uidmap 0:1:4096 --gidmap 0:1:4096 $img cat /proc/self/uid_map 2>&1 | tr -s ' ')"
		# where podman keeps the files husk binds (/etc/hosts...), for the report
		p runroot-modes "$(stat -c '%a:%u' "$PODMAN_DIR"/run "$PODMAN_DIR"/run/vfs-containers 2>&1 | tr '\n' ' ')"
		hpodman pod create --name rl-pod >/dev/null
		a=$(hpodman run -d --pod rl-pod $img sh -c 'trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 0.1; done')
		infra=$(hpodman pod inspect --format '{{.InfraContainerID}}' rl-pod)
		apid=$(hpodman inspect --format '{{.State.Pid}}' "$a")
		ipid=$(hpodman inspect --format '{{.State.Pid}}' "$infra")
		p pod-shared "$(for ns in net ipc uts user; do [ "$(readlink /proc/"$apid"/ns/$ns)" = "$(readlink /proc/"$ipid"/ns/$ns)" ] && echo -n "$ns "; done)"
		hpodman stop -t 10 "$a" >/dev/null
		p stop $?
		p logs "$(hpodman logs "$a" 2>&1 | tr '\n' ' ')"
		p stop-state "$(hpodman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$a")"
		hpodman pod rm -f -t 0 rl-pod >/dev/null
		p pod-rm $?
		p pod-left "$(hpodman ps -aq | wc -l)"
	fi
	if [ "$mgr" = systemd ] && [ "$(podman --version | tr -dc '0-9.' | cut -d. -f1)" -ge 5 ]; then
		# podman 5's own network, pasta: terminals, ps/top and kill.
		tp=$SECONDS
		# -it through a pty of script(1), as a terminal user would.
		ptty() { script -qec "$(printf '%q ' "$PODMAN_DIR"/podman "$@")" /dev/null </dev/null; }
		pn=(--network pasta)
		# the interfaces pasta gave the container besides lo
		out=$(ptty run -it --rm "${pn[@]}" $img sh -c 'sleep 1; tty; test -t 0 && echo stdin-is-tty
			echo ifaces=$(grep -v -e "|" -e "^ *lo:" /proc/net/dev | wc -l); exit 4' 2>&1)
		p run-it $?
		p run-it-out "$(echo "$out" | tr -d '\r' | tr '\n' ' ')"
		id=$(hpodman run -d "${pn[@]}" $img sh -c 'trap "echo got-usr1" USR1; echo started; while :; do sleep 0.1; done')
		p pasta-run-d $?
		out=$(ptty exec -it "$id" sh -c 'tty; stty size >/dev/null && echo stty-ok; exit 3' 2>&1)
		p exec-it $?
		p exec-it-out "$(echo "$out" | tr -d '\r' | tr '\n' ' ')"
		p top "$(hpodman top "$id" user args 2>&1 | tr -s ' ' | tr '\n' '|')"
		p ps "$(hpodman ps --filter id="$id" --format '{{.State}}' 2>&1)"
		hpodman kill -s USR1 "$id" >/dev/null
		p kill-usr1 $?
		for _ in $(seq 50); do
			hpodman logs "$id" 2>&1 | grep -q got-usr1 && break
			sleep 0.2
		done
		p kill-usr1-logs "$(hpodman logs "$id" 2>&1 | tr '\n' ' ')"
		hpodman kill "$id" >/dev/null
		p kill $?
		hpodman wait "$id" >/dev/null 2>&1
		p kill-state "$(hpodman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id")"
		hpodman rm -f -t 0 "$id" >/dev/null
		p pasta-left "$(hpodman ps -aq | wc -l)"
		p pasta-seconds $((SECONDS - tp))
	fi
	# what each round costs of the file's time budget (for the log)
	p seconds "$SECONDS"
	p finished yes
	exit 0
fi

# ---- as root: the user, its manager ---------------------------------------
echo "pid1: $(cat /proc/1/comm)"
echo "podman: $(podman --version)"
install -m 0755 "$share"/husk /usr/local/bin/husk
# pasta (podman 5's network) opens /dev/net/tun as the user: Debian's udev
# makes it 0666 (rule 50-udev-default); this image has no udev
modprobe tun 2>/dev/null
[ -c /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200; }
chmod 0666 /dev/net/tun
useradd -m -s /bin/bash "$user"
uid=$(id -u "$user")
echo "subuid: $(grep -c "^$user:" /etc/subuid)"
loginctl enable-linger "$user"
for _ in $(seq 100); do
	[ "$(systemctl is-active "user@$uid.service")" = active ] && [ -S /run/user/"$uid"/bus ] && break
	sleep 0.2
done
echo "user-manager: $(systemctl is-active "user@$uid.service")"
echo "delegated: $(cat /sys/fs/cgroup/user.slice/user-"$uid".slice/user@"$uid".service/cgroup.controllers)"
cp "$share"/busybox.tar /tmp/busybox.tar
chmod 0644 /tmp/busybox.tar
mkdir -p /tmp/rl-share
cp -r "$share"/clients "$share"/podman-rootless.sh /tmp/busybox.tar /tmp/rl-share/
chmod -R a+rX /tmp/rl-share
for mgr in systemd cgroupfs; do
	# a transient service of the user's manager, with its own delegated
	# cgroup, as a login of that user would have
	systemd-run --user --machine="$user"@ --wait --pipe --quiet -p Delegate=yes \
		/bin/bash /tmp/rl-share/podman-rootless.sh /tmp/rl-share user $mgr 2>&1
	echo "$mgr-exit: $?"
done
echo "done"
