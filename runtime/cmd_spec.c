// SPDX-License-Identifier: GPL-2.0-or-later
/* `husk spec`: a template config.json, as `runc spec` writes one. */
#include "config.h"
#include "commands.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

enum { OPT_BUNDLE = 1, OPT_ROOTLESS };

struct spec_flags {
	const char *bundle;
	bool rootless;
};

static int spec_flag(int id, const char *arg, void *data)
{
	struct spec_flags *f = data;
	if (id == OPT_BUNDLE)
		f->bundle = arg;
	else if (id == OPT_ROOTLESS)
		f->rootless = true;
	return 0;
}

static const char template_head[] =
    "{\n"
    "\t\"ociVersion\": \"1.3.0\",\n"
    "\t\"process\": {\n"
    "\t\t\"terminal\": true,\n"
    "\t\t\"user\": {\"uid\": 0, \"gid\": 0},\n"
    "\t\t\"args\": [\"sh\"],\n"
    "\t\t\"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
    "\"TERM=xterm\"],\n"
    "\t\t\"cwd\": \"/\",\n"
    "\t\t\"capabilities\": {\n"
    "\t\t\t\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "\t\t\t\"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
    "\t\t\t\"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
    "\t\t},\n"
    "\t\t\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
    "\t\t\"noNewPrivileges\": true\n"
    "\t},\n"
    "\t\"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
    "\t\"hostname\": \"husk\",\n"
    "\t\"mounts\": [\n"
    "\t\t{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
    "\t\t{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
    "\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
    "\t\t{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
    "\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s]},\n"
    "\t\t{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", "
    "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
    "\t\t{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", "
    "\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
    "\t\t%s,\n"
    "\t\t{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\", "
    "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n"
    "\t],\n";

static const char template_linux[] =
    "\t\"linux\": {\n"
    "%s"
    "%s"
    "\t\t\"namespaces\": [\n"
    "\t\t\t{\"type\": \"pid\"},\n"
    "%s"
    "\t\t\t{\"type\": \"ipc\"},\n"
    "\t\t\t{\"type\": \"uts\"},\n"
    "\t\t\t{\"type\": \"mount\"},\n"
    "\t\t\t{\"type\": \"cgroup\"}%s\n"
    "\t\t],\n"
    "\t\t\"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", "
    "\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", "
    "\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
    "\t\t\"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
    "\"/proc/sysrq-trigger\"]\n"
    "\t}\n"
    "}\n";

static char *render(bool rootless)
{
	const char *sysfs =
	    rootless ? "{\"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\", "
		       "\"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"]}"
		     : "{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
		       "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]}";
	_cleanup_free_ char *mappings = NULL;
	_cleanup_free_ char *head = xasprintf(template_head, rootless ? "" : ", \"gid=5\"", sysfs);
	_cleanup_free_ char *tail = NULL;

	if (rootless)
		mappings = xasprintf("\t\t\"uidMappings\": [{\"containerID\": 0, \"hostID\": %u, "
				     "\"size\": 1}],\n\t\t\"gidMappings\": [{\"containerID\": 0, "
				     "\"hostID\": %u, \"size\": 1}],\n",
				     getuid(), getgid());
	/* Rootless as runc writes it: no network namespace (the user could
	 * not connect it to anything; sysfs is then bound from the host) and
	 * no linux.resources (no cgroup may be writable). */
	tail = xasprintf(template_linux, mappings ? mappings : "",
			 rootless ? ""
				  : "\t\t\"resources\": {\"devices\": [{\"allow\": false, "
				    "\"access\": \"rwm\"}]},\n",
			 rootless ? "" : "\t\t\t{\"type\": \"network\"},\n",
			 rootless ? ",\n\t\t\t{\"type\": \"user\"}" : "");
	return xasprintf("%s%s", head, tail);
}

int cmd_spec(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "spec", "[--rootless] [-b DIR]",
	    "Write a template config.json into the bundle directory (default: here)."};
	static const struct cli_option opts[] = {
	    {"bundle", 'b', "DIR", "where to write config.json", OPT_BUNDLE},
	    {"rootless", 0, NULL, "a template for a user namespace owned by the caller",
	     OPT_ROOTLESS},
	    {NULL, 0, NULL, NULL, 0},
	};
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_flags f = {".", false};
	_cleanup_close_ int dfd = -1;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	char **ops;
	int n, r = cli_parse_operands(&help, opts, argc, argv, spec_flag, &f, 0, 0, &ops, &n);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	dfd = open(f.bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		husk_error_errno(&err, "spec: bundle `%s`", f.bundle);
		return husk_error_report(&err);
	}
	fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		husk_error_errno(&err, "spec: create `%s/config.json`", f.bundle);
		return husk_error_report(&err);
	}
	text = render(f.rootless);
	if (write_all(fd, text, strlen(text)) < 0) {
		husk_error_errno(&err, "spec: write config.json");
		return husk_error_report(&err);
	}
	return 0;
}
