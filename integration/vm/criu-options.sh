#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs INSIDE a throw-away VM (vm-run, VM_ROOT=host: this machine's / with
# its criu 3.17 on the Debian 6.1 kernel); driven by
# integration/vm/criu-options.bats.  The checkpoint and restore options
# criu.sh leaves out: --file-locks, --ext-unix-sk, --empty-ns network,
# --auto-dedup, --page-server, --lazy-pages with --status-fd, --no-pivot,
# a user namespace, ipc/uts namespaces and a pid namespace joined by path.  Prints
# `KEY: VALUE` lines, then `done`.
#
# usage: criu-options.sh SHARE
S=$1
W=/tmp/cro
H="$S/husk --root $W/state"
mkdir -p $W/rootfs
tar -C $W/rootfs -xf "$S/busybox.tar"
(cd $W && $S/husk spec && mv config.json spec.json)

# bundle NAME JQ ARGS_JSON: $W/b-NAME with a writable copy of the rootfs
bundle() {
	mkdir -p $W/b-$1
	cp -a $W/rootfs $W/b-$1/rootfs
	jq "$2 | .root.readonly = false | .process.terminal = false | .process.args = $3" \
		$W/spec.json >$W/b-$1/config.json
}
# the host's /usr (flock, python3) read-only in the container, with the
# merged-/usr links the dynamic loader needs; not recursive: the VM's
# /usr/lib/modules is a 9p mount CRIU cannot dump
USR='.mounts += [{"destination": "/usr", "type": "bind", "source": "/usr", "options": ["bind", "ro"]}]'
with_usr() {
	ln -s usr/lib $W/b-$1/rootfs/lib 2>/dev/null || true
	ln -s usr/lib64 $W/b-$1/rootfs/lib64
}

pid_of() { $H state "$1" | jq -r .pid; }
status_of() { $H state "$1" 2>/dev/null | jq -r .status; }
count_of() { cat $W/b-$1/rootfs/count 2>/dev/null; }
COUNTER='["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i >/count.new; mv /count.new /count; sleep 0.1; done"]'
COUNT_LOOP='i=0; while true; do i=$((i+1)); echo $i >/count.new; mv /count.new /count; sleep 0.1; done'
# continues NAME BEFORE: the count went on past BEFORE
continues() {
	local c2
	sleep 1
	c2=$(count_of "$1")
	[ -n "$2" ] && [ "$c2" -gt "$2" ] 2>/dev/null && echo yes || echo "no: $2 then $c2"
}
pages_kib() { du -ck "$1"/pages-*.img | tail -1 | cut -f1; }
# report KEY: KEY-rc and KEY-err lines for the last command's status and $W/err
report() {
	echo "$1-rc: $2"
	sed "s/^/$1-err: /" $W/err
}

# --- --file-locks: flock(1) holds a lock while the counter runs under it
t_locks() {
	bundle fl "$USR" '["/usr/bin/flock", "/lock", "sh", "-c", "'"$COUNT_LOOP"'"]'
	with_usr fl
	touch $W/b-fl/rootfs/lock
	$H run -d --bundle $W/b-fl fl </dev/null >/dev/null 2>&1
	sleep 2
	echo "locks-held: $(flock -n $W/b-fl/rootfs/lock true 2>/dev/null && echo free || echo held)"
	$H checkpoint --image-path $W/img-fl-nolocks --leave-running fl 2>$W/err
	echo "locks-without-rc: $?"
	echo "locks-without-err: $(head -1 $W/err)"
	$H checkpoint --file-locks --image-path $W/img-fl fl 2>$W/err
	report locks-ckpt $?
	c1=$(count_of fl)
	echo "locks-freed-by-dump: $(flock -n $W/b-fl/rootfs/lock true 2>/dev/null && echo free || echo held)"
	$H delete fl
	$H restore -d --file-locks --image-path $W/img-fl --bundle $W/b-fl fl </dev/null >/dev/null 2>$W/err
	report locks-restore $?
	echo "locks-continues: $(continues fl "$c1")"
	echo "locks-held-again: $(flock -n $W/b-fl/rootfs/lock true 2>/dev/null && echo free || echo held)"
	# the lock in /proc/locks belongs to a process of the restored container
	ino=$(stat -c %i $W/b-fl/rootfs/lock)
	owner=$(awk -v i=":$ino\$" '$2 == "FLOCK" && $6 ~ i {print $5}' /proc/locks | head -1)
	echo "locks-owner-in-container: $([ -n "$owner" ] && [ "$(readlink /proc/$owner/ns/pid)" = "$(readlink /proc/$(pid_of fl)/ns/pid)" ] && echo yes || echo "no: owner '$owner'")"
	$H delete -f fl
}

# --- --ext-unix-sk: a datagram socket connected to a listener outside the
# container (its socket bind-mounted in), as a process logging to the
# host's /dev/log would hold
t_unix() {
	mkdir -p $W/sock
	python3 -c 'if True:
		import socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		s.bind(sys.argv[1])
		with open(sys.argv[2], "a") as f:
			while True:
				f.write(s.recv(100).decode()); f.flush()
	' $W/sock/log $W/sock.recv &
	lpid=$!
	for _ in $(seq 300); do [ -S $W/sock/log ] && break; sleep 0.1; done
	SOCK='.mounts += [{"destination": "'$W/sock'", "type": "bind", "source": "'$W/sock'", "options": ["rbind"]}]'
	# the socket at the same path inside as outside: CRIU reconnects to the
	# peer by the name it bound, as a /dev/log bound in would be.
	# In the VM's network namespace: CRIU finds a unix socket's peer (and
	# so knows it is outside) only in the namespace it dumps; without its
	# own, /sys would be the VM's, whose bpf and debug mounts CRIU refuses
	bundle us "$USR | $SOCK | .linux.namespaces |= map(select(.type != \"network\")) | .mounts |= map(select(.destination | startswith(\"/sys\") | not))" '["/usr/bin/python3", "-c", "import socket, time\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.connect(\"/tmp/cro/sock/log\")\ni = 0\nwhile True:\n    i += 1\n    s.send(b\"%d\\n\" % i)\n    time.sleep(0.1)"]'
	with_usr us
	$H run -d --bundle $W/b-us us </dev/null > >(cat >$W/us.out) 2>&1
	for _ in $(seq 300); do [ -s $W/sock.recv ] && break; sleep 0.1; done
	echo "unix-sending: $([ -s $W/sock.recv ] && echo yes || echo "no: $(status_of us): $(tr '\n' ' ' <$W/us.out) listener $(kill -0 $lpid && echo alive || echo gone)")"
	$H checkpoint --image-path $W/img-us-no --leave-running us 2>$W/err
	echo "unix-without-rc: $?"
	echo "unix-without-err: $(head -1 $W/err)"
	$H checkpoint --ext-unix-sk --image-path $W/img-us us 2>$W/err
	report unix-ckpt $?
	c1=$(tail -1 $W/sock.recv)
	$H delete us
	$H restore -d --ext-unix-sk --image-path $W/img-us --bundle $W/b-us us </dev/null >/dev/null 2>$W/err
	report unix-restore $?
	sleep 2
	c2=$(tail -1 $W/sock.recv)
	echo "unix-continues: $([ -n "$c1" ] && [ "$c2" -gt "$c1" ] 2>/dev/null && echo yes || echo "no: $c1 then $c2")"
	echo "unix-in-order: $(awk 'NR != $1 {print "no at " NR ": " $1; exit} END {if (NR) print "yes"}' $W/sock.recv | head -1)"
	$H delete -f us
	kill $lpid
}

# --- --empty-ns network: the container's own network namespace comes back
# new and empty (lo down, default MTU) while a plain restore keeps it
t_emptyns() {
	local p c1
	bundle en . "$COUNTER"
	$H run -d --bundle $W/b-en en </dev/null >/dev/null 2>&1
	sleep 1
	p=$(pid_of en)
	nsenter -t $p -n sysctl -qw net.unix.max_dgram_qlen=123
	echo "emptyns-before: $(nsenter -t $p -n cat /proc/sys/net/unix/max_dgram_qlen)"
	$H checkpoint --empty-ns ipc --image-path $W/img-x en 2>$W/err
	echo "emptyns-bad: $? $(head -1 $W/err)"
	$H checkpoint --empty-ns network --image-path $W/img-en en 2>$W/err
	report emptyns-ckpt $?
	c1=$(count_of en)
	$H delete en
	$H restore -d --empty-ns network --image-path $W/img-en --bundle $W/b-en en </dev/null >/dev/null 2>$W/err
	report emptyns-restore $?
	echo "emptyns-continues: $(continues en "$c1")"
	p=$(pid_of en)
	echo "emptyns-own-netns: $([ "$(readlink /proc/$p/ns/net)" != "$(readlink /proc/self/ns/net)" ] && echo yes || echo no)"
	echo "emptyns-after: $(nsenter -t $p -n cat /proc/sys/net/unix/max_dgram_qlen)"
	echo "emptyns-fresh: $(unshare -n cat /proc/sys/net/unix/max_dgram_qlen)"
	$H delete -f en
}

# --- --auto-dedup: the final dump punches the pages it shares with the
# pre-dump out of the parent's images; restore punches what it read
t_dedup() {
	bundle dd . "$COUNTER"
	$H run -d --bundle $W/b-dd dd </dev/null >/dev/null 2>&1
	sleep 1
	$H checkpoint --pre-dump --image-path $W/dd/parent dd 2>$W/err
	report dedup-predump $?
	# the blocks the page images hold (dedup punches holes; the logs grow)
	k0=$(pages_kib $W/dd/parent)
	$H checkpoint --auto-dedup --image-path $W/dd/final --parent-path ../parent dd 2>$W/err
	report dedup-ckpt $?
	k1=$(pages_kib $W/dd/parent)
	echo "dedup-parent-kib: $k0 $k1"
	c1=$(count_of dd)
	$H delete dd
	f0=$(pages_kib $W/dd/final)
	$H restore -d --auto-dedup --image-path $W/dd/final --bundle $W/b-dd dd </dev/null >/dev/null 2>$W/err
	report dedup-restore $?
	f1=$(pages_kib $W/dd/final)
	echo "dedup-final-kib: $f0 $f1"
	echo "dedup-continues: $(continues dd "$c1")"
	$H delete -f dd
}

# --- --page-server: the pages go to a CRIU page server (here on the same
# VM, into another directory); the rest of the images stay in --image-path
t_pageserver() {
	bundle ps . "$COUNTER"
	$H run -d --bundle $W/b-ps ps </dev/null >/dev/null 2>&1
	sleep 1
	mkdir -p $W/ps-dst
	criu page-server --images-dir $W/ps-dst --port 27027 -d -o ps.log -v4 2>$W/err
	echo "pageserver-started: $?"
	$H checkpoint --page-server nowhere --image-path $W/img-x ps 2>$W/err
	echo "pageserver-bad: $? $(head -1 $W/err)"
	$H checkpoint --page-server 127.0.0.1:27027 --image-path $W/ps-src ps 2>$W/err
	report pageserver-ckpt $?
	echo "pageserver-pages: src $(ls $W/ps-src | grep -c '^pages-') dst $(ls $W/ps-dst | grep -c '^pages-')"
	c1=$(count_of ps)
	$H delete ps
	cp -a $W/ps-src/. $W/ps-dst/
	$H restore -d --image-path $W/ps-dst --bundle $W/b-ps ps </dev/null >/dev/null 2>$W/err
	report pageserver-restore $?
	echo "pageserver-continues: $(continues ps "$c1")"
	$H delete -f ps
}

# --- --lazy-pages: the dump keeps the memory back and serves it; --status-fd
# says when the images are ready; `criu lazy-pages` feeds the restored
# container's page faults from it
t_lazy() {
	if criu check --feature uffd-noncoop >/dev/null 2>&1; then
		echo "lazy-uffd: yes"
		bundle lz . "$COUNTER"
		$H run -d --bundle $W/b-lz lz </dev/null >/dev/null 2>&1
		sleep 1
		$H checkpoint --lazy-pages --image-path $W/img-x lz 2>$W/err
		echo "lazy-bad: $? $(head -1 $W/err)"
		mkfifo $W/lz.status
		$H checkpoint --lazy-pages --page-server 127.0.0.1:27028 --status-fd 3 \
			--image-path $W/img-lz lz 3>$W/lz.status 2>$W/lz.err &
		cpid=$!
		st=$(timeout 60 head -c1 $W/lz.status | od -An -tx1 | tr -d ' ')
		echo "lazy-status-byte: ${st:-none}"
		c1=$(count_of lz)
		echo "lazy-frozen: $(sleep 1; [ "$(count_of lz)" = "$c1" ] && echo yes || echo no)"
		criu lazy-pages --page-server --address 127.0.0.1 --port 27028 --images-dir $W/img-lz \
			-o lazy.log -v4 -D $W/img-lz -W $W/img-lz &
		lzd=$!
		sleep 1
		$H restore -d --lazy-pages --image-path $W/img-lz --bundle $W/b-lz lz2 </dev/null >/dev/null 2>$W/err
		report lazy-restore $?
		# a failed restore never pulls the memory: the dump would wait for ever
		timeout 120 tail --pid=$cpid -f /dev/null || { pkill -P $cpid; kill $lzd; }
		wait $cpid
		echo "lazy-ckpt-rc: $?"
		sed 's/^/lazy-ckpt-err: /' $W/lz.err
		wait $lzd
		echo "lazy-daemon-rc: $?"
		echo "lazy-source-status: $(status_of lz)"
		echo "lazy-continues: $(continues lz "$c1")"
		echo "lazy-restored-status: $(status_of lz2)"
		cp $W/img-lz/*.log $S/ 2>/dev/null
		$H delete -f lz2
		$H delete -f lz
	else
		echo "lazy-uffd: no: $(criu check --feature uffd-noncoop 2>&1 | tail -1)"
	fi
}

# --- restore --no-pivot: CRIU builds the root itself (runc passes nothing
# to CRIU either); a container created with --no-pivot restores with it
t_nopivot() {
	bundle np . "$COUNTER"
	$H run -d --no-pivot --bundle $W/b-np np </dev/null >/dev/null 2>&1
	sleep 1
	echo "nopivot-created: $(status_of np)"
	$H checkpoint --image-path $W/img-np np 2>$W/err
	report nopivot-ckpt $?
	c1=$(count_of np)
	$H delete np
	$H restore -d --no-pivot --image-path $W/img-np --bundle $W/b-np np </dev/null >/dev/null 2>$W/err
	report nopivot-restore $?
	echo "nopivot-continues: $(continues np "$c1")"
	echo "nopivot-root: $(ls /proc/$(pid_of np)/root/count >/dev/null 2>&1 && echo rootfs || echo other)"
	$H delete -f np
}

# --- a user namespace with mappings: container root is 100000 outside
t_userns() {
	bundle un '.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' "$COUNTER"
	chown -R 100000:100000 $W/b-un/rootfs
	# its stdio: /dev/null and pipes, which its root (100000 outside) can
	# reopen at restore, as conmon or a shim gives them; not root's files
	$H run -d --bundle $W/b-un un </dev/null > >(cat >/dev/null) 2>&1
	echo "userns-run: $(status_of un)"
	sleep 1
	$H checkpoint --image-path $W/img-un un 2>$W/err
	report userns-ckpt $?
	c1=$(count_of un)
	$H delete un
	$H restore -d --image-path $W/img-un --bundle $W/b-un un </dev/null > >(cat >/dev/null) 2> >(cat >$W/err)
	local rc=$?
	sleep 1
	report userns-restore $rc
	echo "userns-continues: $(continues un "$c1")"
	p=$(pid_of un)
	echo "userns-map: $(awk '{print $1, $2, $3}' /proc/$p/uid_map 2>/dev/null)"
	echo "userns-own: $([ -n "$p" ] && [ "$(readlink /proc/$p/ns/user)" != "$(readlink /proc/self/ns/user)" ] && echo yes || echo no)"
	$H delete -f un
}

# --- ipc and uts namespaces joined by path: they belong to a holder
# outside; the restored container joins them again (CRIU --join-ns)
t_extns() {
	unshare --ipc --uts sh -c 'hostname holder; exec sleep 100000' &
	hpid=$!
	sleep 0.5
	bundle xn '.linux.namespaces |= map(if .type == "ipc" then .path = "/proc/'$hpid'/ns/ipc" elif .type == "uts" then .path = "/proc/'$hpid'/ns/uts" else . end) | del(.hostname)' "$COUNTER"
	$H run -d --bundle $W/b-xn xn </dev/null >/dev/null 2>$W/err
	report extns-run $?
	sleep 1
	$H checkpoint --image-path $W/img-xn xn 2>$W/err
	report extns-ckpt $?
	c1=$(count_of xn)
	$H delete xn
	# a restoring config that does not join them is refused before CRIU runs
	cp $W/b-xn/config.json $W/xn.json
	jq '.linux.namespaces |= map(del(.path))' $W/xn.json >$W/b-xn/config.json
	$H restore -d --image-path $W/img-xn --bundle $W/b-xn xn </dev/null >/dev/null 2>$W/err
	echo "extns-nopath: $? $(head -1 $W/err)"
	echo "extns-nopath-left: $($H state xn >/dev/null 2>&1 && echo left || echo nothing)"
	cp $W/xn.json $W/b-xn/config.json
	$H restore -d --image-path $W/img-xn --bundle $W/b-xn xn </dev/null >/dev/null 2>$W/err
	report extns-restore $?
	echo "extns-continues: $(continues xn "$c1")"
	p=$(pid_of xn)
	echo "extns-ipc: $([ -n "$p" ] && [ "$(readlink /proc/$p/ns/ipc)" = "$(readlink /proc/$hpid/ns/ipc)" ] && echo same || echo "other")"
	echo "extns-uts: $([ -n "$p" ] && [ "$(readlink /proc/$p/ns/uts)" = "$(readlink /proc/$hpid/ns/uts)" ] && echo same || echo "other")"
	echo "extns-hostname: $($H exec xn hostname 2>&1)"
	$H delete -f xn
	kill $hpid

}

# --- pid and network namespaces joined by path, as a pod's containers
# share them: a holder is the pid namespace's init; CRIU leaves both
# external and the restored container is put back into them (--external
# pid[INODE]:KEY and net[INODE]:KEY, then --inherit-fd).
# The holder reaps as a pod's pause does: the container's init is
# orphaned into it, and a zombie would keep its pid from the restore
t_pidns() {
	unshare --pid --net --fork python3 -c 'import os, time
while True:
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(0.2)' &
	upid=$!
	sleep 0.5
	hpid=$(cat /proc/$upid/task/$upid/children)
	hpid=${hpid%% *}
	bundle pn '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/'$hpid'/ns/pid" elif .type == "network" then .path = "/proc/'$hpid'/ns/net" else . end)' "$COUNTER"
	$H run -d --bundle $W/b-pn pn </dev/null >/dev/null 2>$W/err
	report pidns-run $?
	sleep 1
	p=$(pid_of pn)
	echo "pidns-joined: $([ -n "$p" ] && [ "$(readlink /proc/$p/ns/pid)" = "$(readlink /proc/$hpid/ns/pid)" ] && echo same || echo "other")"
	nspid=$(awk '/^NSpid:/ {print $3}' /proc/$p/status)
	$H checkpoint --image-path $W/img-pn pn 2>$W/err
	report pidns-ckpt $?
	c1=$(count_of pn)
	$H delete pn
	# a restoring config that does not join one of them is refused before
	# CRIU runs
	cp $W/b-pn/config.json $W/pn.json
	for ns in pid network; do
		jq '.linux.namespaces |= map(if .type == "'$ns'" then del(.path) else . end)' $W/pn.json >$W/b-pn/config.json
		$H restore -d --image-path $W/img-pn --bundle $W/b-pn pn </dev/null >/dev/null 2>$W/err
		echo "pidns-no-$ns-path: $? $(head -1 $W/err)"
		echo "pidns-no-$ns-path-left: $($H state pn >/dev/null 2>&1 && echo left || echo nothing)"
	done
	cp $W/pn.json $W/b-pn/config.json
	$H restore -d --image-path $W/img-pn --bundle $W/b-pn pn </dev/null >/dev/null 2>$W/err
	report pidns-restore $?
	echo "pidns-continues: $(continues pn "$c1")"
	p=$(pid_of pn)
	echo "pidns-pid: $([ -n "$p" ] && [ "$(readlink /proc/$p/ns/pid)" = "$(readlink /proc/$hpid/ns/pid)" ] && echo same || echo "other")"
	echo "pidns-net: $([ -n "$p" ] && [ "$(readlink /proc/$p/ns/net)" = "$(readlink /proc/$hpid/ns/net)" ] && echo same || echo "other")"
	echo "pidns-nspid: $([ -n "$nspid" ] && [ "$(awk '/^NSpid:/ {print $3}' /proc/$p/status 2>/dev/null)" = "$nspid" ] && echo kept || echo "changed")"
	$H delete -f pn
	kill $upid $hpid
}

for t in ${CRIU_OPTIONS_TESTS:-locks unix emptyns dedup pageserver lazy nopivot userns extns pidns}; do
	t0=$(date +%s)
	t_$t
	echo "time-$t: $(($(date +%s) - t0)) s"
done
echo done
