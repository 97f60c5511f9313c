// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * linux.netDevices: host interfaces moved into the container.
 *
 * The parent does it over rtnetlink before the init runs container code:
 * one socket in the host's network namespace moves (and renames) each
 * device, one socket made inside the container's namespace re-adds the
 * permanent global addresses the kernel drops on the move and sets the
 * device up, as the runtime-spec asks.  Nothing is done on delete: when the
 * namespace dies the kernel returns physical devices to the host and
 * destroys virtual ones (the spec forbids moving them out ourselves).
 */
#include "config.h"
#include "linux/linux.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define NL_BUFSIZE 32768

struct nlbuf {
	union {
		struct nlmsghdr h;
		char data[4096];
	};
};

/* A permanent global address of a device, as RTM_GETADDR reported it. */
struct saved_addr {
	struct ifaddrmsg ifa;
	struct {
		uint16_t type;
		uint16_t len;
		char data[32];
	} attrs[4];
	size_t n_attrs;
};

struct moved_dev {
	const struct spec_net_device *dev;
	struct saved_addr *addrs;
	size_t n_addrs;
	bool moved;
};

static uint32_t nl_seq;

static void nl_begin(struct nlbuf *b, uint16_t type, uint16_t flags, const void *hdr, size_t hlen)
{
	memset(b, 0, sizeof(*b));
	b->h.nlmsg_len = NLMSG_LENGTH(hlen);
	b->h.nlmsg_type = type;
	b->h.nlmsg_flags = NLM_F_REQUEST | flags;
	b->h.nlmsg_seq = ++nl_seq;
	memcpy(NLMSG_DATA(&b->h), hdr, hlen);
}

static void nl_attr(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)(b->data + NLMSG_ALIGN(b->h.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	b->h.nlmsg_len = NLMSG_ALIGN(b->h.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int nl_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/*
 * Send one request and read until its answer: 0 (ack), -errno (the kernel's
 * error), or 1 with the first non-error message copied into reply.
 */
static int nl_request(int fd, struct nlbuf *req, void *reply, size_t reply_size)
{
	_cleanup_free_ char *buf = xmalloc(NL_BUFSIZE);
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

	if (sendto(fd, req, req->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, NL_BUFSIZE, 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != req->h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error;
			}
			if (reply) {
				memcpy(reply, h,
				       h->nlmsg_len < reply_size ? h->nlmsg_len : reply_size);
				return 1;
			}
		}
	}
}

/* ifindex of name in the namespace of fd: > 0, or -errno (-ENODEV). */
static int link_index(int fd, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nlbuf req;
	_cleanup_free_ struct nlbuf *reply = xcalloc(1, sizeof(*reply));
	int r;

	nl_begin(&req, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	nl_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
	r = nl_request(fd, &req, reply, sizeof(*reply));
	if (r < 0)
		return r;
	if (r == 0 || reply->h.nlmsg_type != RTM_NEWLINK)
		return -EPROTO;
	return ((struct ifinfomsg *)NLMSG_DATA(&reply->h))->ifi_index;
}

static void save_addr(struct moved_dev *m, struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)IFA_PAYLOAD(h);
	uint32_t flags = ifa->ifa_flags;
	struct saved_addr a = {.ifa = *ifa};

	for (struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		size_t dlen = RTA_PAYLOAD(rta);

		if (rta->rta_type == IFA_FLAGS && dlen == sizeof(uint32_t))
			memcpy(&flags, RTA_DATA(rta), sizeof(flags));
		/* IFA_LABEL carries the old name and IFA_CACHEINFO the
		 * lifetimes of a non-permanent address: neither applies. */
		if ((rta->rta_type != IFA_ADDRESS && rta->rta_type != IFA_LOCAL &&
		     rta->rta_type != IFA_BROADCAST && rta->rta_type != IFA_FLAGS) ||
		    dlen > sizeof(a.attrs[0].data) || a.n_attrs == ARRAY_SIZE(a.attrs))
			continue;
		a.attrs[a.n_attrs].type = rta->rta_type;
		a.attrs[a.n_attrs].len = (uint16_t)dlen;
		memcpy(a.attrs[a.n_attrs].data, RTA_DATA(rta), dlen);
		a.n_attrs++;
	}
	if (!(flags & IFA_F_PERMANENT) || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return;
	m->addrs = xrealloc(m->addrs, (m->n_addrs + 1) * sizeof(*m->addrs));
	m->addrs[m->n_addrs++] = a;
}

/* The permanent addresses of global scope of ifindex (any family). */
static int dump_addrs(int fd, int ifindex, struct moved_dev *m)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_UNSPEC};
	struct nlbuf req;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	_cleanup_free_ char *buf = xmalloc(NL_BUFSIZE);

	nl_begin(&req, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, NL_BUFSIZE, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != req.h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == RTM_NEWADDR &&
			    ((struct ifaddrmsg *)NLMSG_DATA(h))->ifa_index == (uint32_t)ifindex)
				save_addr(m, h);
		}
	}
}

/* RTM_NEWLINK on ifindex: into the namespace netns_fd, named name. */
static int move_link(int fd, int ifindex, int netns_fd, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	uint32_t nsfd = (uint32_t)netns_fd;
	struct nlbuf req;

	nl_begin(&req, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	nl_attr(&req, IFLA_NET_NS_FD, &nsfd, sizeof(nsfd));
	if (name)
		nl_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_request(fd, &req, NULL, 0);
}

static int add_addr(int fd, int ifindex, const struct saved_addr *a)
{
	struct ifaddrmsg ifa = a->ifa;
	struct nlbuf req;

	ifa.ifa_index = (uint32_t)ifindex;
	nl_begin(&req, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, &ifa, sizeof(ifa));
	for (size_t i = 0; i < a->n_attrs; i++)
		nl_attr(&req, a->attrs[i].type, a->attrs[i].data, a->attrs[i].len);
	return nl_request(fd, &req, NULL, 0);
}

static int set_up(int fd, int ifindex)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = ifindex,
				.ifi_flags = IFF_UP,
				.ifi_change = IFF_UP};
	struct nlbuf req;

	nl_begin(&req, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	return nl_request(fd, &req, NULL, 0);
}

/* <procfs>/<pid or self>/ns/net: the ns directory is opened inside procfs,
 * the last step is the namespace file itself (a magic link). */
static int open_proc_netns(const char *who, struct husk_error *err)
{
	_cleanup_free_ char *rel = xasprintf("%s/ns", who);
	_cleanup_close_ int dir = procfs_open(rel, O_RDONLY | O_DIRECTORY, err);
	int fd;

	if (dir < 0)
		return -1;
	fd = openat(dir, "net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "open /proc/%s/ns/net", who);
	return fd;
}

/* The container's network namespace: its `path`, else the init's own,
 * which must not be ours (that would rename host devices in place). */
static int open_target_netns(const struct spec_config *cfg, pid_t pid, struct husk_error *err)
{
	const struct spec_namespace *ns = spec_config_namespace(cfg, SPEC_NS_NETWORK);
	_cleanup_free_ char *who = xasprintf("%d", (int)pid);
	_cleanup_close_ int self = -1;
	struct stat mine, theirs;
	int fd;

	if (ns && ns->path) {
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return husk_error_errno(err, "open network namespace `%s`", ns->path);
		return fd;
	}
	fd = open_proc_netns(who, err);
	if (fd < 0)
		return -1;
	self = open_proc_netns("self", err);
	if (self < 0 || fstat(self, &mine) < 0 || fstat(fd, &theirs) < 0) {
		close(fd);
		return self < 0 ? -1 : husk_error_errno(err, "inspect the network namespace");
	}
	if (mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev) {
		close(fd);
		return husk_error_set(err, 0,
				      "the container has no network namespace of its own yet");
	}
	return fd;
}

/* A netlink socket that lives in netns_fd: sockets keep the namespace they
 * were made in, so enter it just for socket(). */
static int socket_in_netns(int netns_fd, struct husk_error *err)
{
	_cleanup_close_ int self = open_proc_netns("self", err);
	int fd, e;

	if (self < 0)
		return -1;
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return husk_error_errno(err, "enter the container's network namespace");
	fd = nl_socket();
	e = fd < 0 ? -fd : 0;
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Staying in the container's namespace would be worse than dying. */
		fprintf(stderr, "husk: cannot return to the runtime's network namespace: %s\n",
			strerror(errno));
		abort();
	}
	if (fd < 0)
		return husk_error_set(err, e, "rtnetlink socket in the container");
	return fd;
}

static const char *final_name(const struct spec_net_device *d)
{
	return d->name ? d->name : d->host_name;
}

/* The spec: check the move is possible before doing it, so that a bad
 * entry fails create without having moved (and lost) the others. */
static int check_devices(const struct spec_config *cfg, int host, int target,
			 struct husk_error *err)
{
	const struct spec_linux *l = cfg->linux;

	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct spec_net_device *d = &l->net_devices[i];
		const char *name = final_name(d);
		int r = link_index(host, d->host_name);

		if (r < 0)
			return husk_error_set(err, -r,
					      "linux.netDevices: move `%s` into the container",
					      d->host_name);
		if (strstr(name, "%d"))
			continue;
		r = link_index(target, name);
		if (r > 0)
			return husk_error_set(
			    err, EEXIST, "linux.netDevices: move `%s` into the container as `%s`",
			    d->host_name, name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(final_name(&l->net_devices[j]), name) == 0)
				return husk_error_set(
				    err, 0,
				    "linux.netDevices: `%s` and `%s` would both be "
				    "named `%s` in the container",
				    l->net_devices[j].host_name, d->host_name, name);
	}
	return 0;
}

/* Find the moved device in the container: by its name, or (a `%d`
 * template) by the index the kernel keeps when it is free there. */
static int moved_index(int target, const struct spec_net_device *d, int old_index)
{
	const char *name = final_name(d);

	if (!strstr(name, "%d"))
		return link_index(target, name);
	return old_index;
}

static int move_one(int host, int target, int netns_fd, struct moved_dev *m, struct husk_error *err)
{
	const struct spec_net_device *d = m->dev;
	int idx = link_index(host, d->host_name), r;

	if (idx < 0)
		return husk_error_set(err, -idx, "linux.netDevices: move `%s` into the container",
				      d->host_name);
	r = dump_addrs(host, idx, m);
	if (r < 0)
		return husk_error_set(err, -r, "linux.netDevices: read the addresses of `%s`",
				      d->host_name);
	r = move_link(host, idx, netns_fd, d->name);
	if (r < 0)
		return husk_error_set(err, -r, "linux.netDevices: move `%s` into the container",
				      d->host_name);
	m->moved = true;
	idx = moved_index(target, d, idx);
	if (idx < 0)
		return husk_error_set(err, -idx, "linux.netDevices: find `%s` in the container",
				      final_name(d));
	for (size_t i = 0; i < m->n_addrs; i++) {
		r = add_addr(target, idx, &m->addrs[i]);
		if (r < 0)
			return husk_error_set(err, -r,
					      "linux.netDevices: restore an address of `%s` in the "
					      "container",
					      final_name(d));
	}
	r = set_up(target, idx);
	if (r < 0)
		return husk_error_set(err, -r, "linux.netDevices: set `%s` up in the container",
				      final_name(d));
	return 0;
}

/* After a failure: give the devices already moved back to the host under
 * their own names, so that a failed create leaves the host as it was. */
static void move_back(int target, struct moved_dev *moved, size_t n)
{
	struct husk_error e = HUSK_ERROR_INIT;
	_cleanup_close_ int self = open_proc_netns("self", &e);

	if (self < 0) {
		husk_warn("linux.netDevices: cannot return devices to the host: %s",
			  husk_error_text(&e));
		husk_error_clear(&e);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int idx;

		if (!moved[i].moved)
			continue;
		idx = moved_index(target, moved[i].dev, 0);
		if (idx <= 0 || move_link(target, idx, self, moved[i].dev->host_name) < 0)
			husk_warn("linux.netDevices: could not return `%s` to the host",
				  moved[i].dev->host_name);
	}
}

int netdevices_move(const struct spec_config *cfg, pid_t pid, struct husk_error *err)
{
	const struct spec_linux *l = cfg->linux;
	_cleanup_close_ int netns = -1, host = -1, target = -1;
	_cleanup_free_ struct moved_dev *moved = NULL;
	size_t done = 0;
	int ret = -1;

	if (!l || l->n_net_devices == 0)
		return 0;
	netns = open_target_netns(cfg, pid, err);
	if (netns < 0)
		return husk_error_prefix(err, "linux.netDevices");
	host = nl_socket();
	if (host < 0)
		return husk_error_set(err, -host, "linux.netDevices: rtnetlink socket");
	target = socket_in_netns(netns, err);
	if (target < 0)
		return husk_error_prefix(err, "linux.netDevices");
	if (check_devices(cfg, host, target, err) < 0)
		return -1;
	moved = xcalloc(l->n_net_devices, sizeof(*moved));
	for (; done < l->n_net_devices; done++) {
		moved[done].dev = &l->net_devices[done];
		if (move_one(host, target, netns, &moved[done], err) < 0) {
			move_back(target, moved, done + 1);
			goto out;
		}
	}
	ret = 0;
out:
	for (size_t i = 0; i < l->n_net_devices; i++)
		free(moved[i].addrs);
	return ret;
}
