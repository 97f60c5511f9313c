// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * linux.seccomp: compiled once with libseccomp in the parent, before clone,
 * into a plain BPF program; the container process only hands that program
 * to seccomp(2) as its very last step before execve.
 */
#include "config.h"
#include "linux/kernel.h"
#include "linux/linux.h"
#include "util.h"
#include "../../spec/json.h"
#include "spec/names.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

struct seccomp_prog {
	struct sock_filter *insns;
	size_t n_insns;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
	bool notify;	    /* some rule is SCMP_ACT_NOTIFY: hand out a listener */
	int sock;	    /* connected to listenerPath, from the host's mount ns */
};

/* `action` is the parser's resolved SCMP_ACT_* base value (spec/names.c);
 * add its errnoRet, if it takes one.  `where` names the JSON field. */
static int resolve_action(uint32_t action, const char *name, bool has_errno, uint32_t errno_ret,
			  const char *where, uint32_t *out, struct husk_error *err)
{
	if (!spec_seccomp_action_takes_errno(action)) {
		if (has_errno)
			return husk_error_set(err, EINVAL,
					      "%s: errnoRet is only valid with SCMP_ACT_ERRNO "
					      "or SCMP_ACT_TRACE, not %s",
					      where, name);
		*out = action;
		return 0;
	}
	/* runc's default for both: EPERM */
	uint32_t e = has_errno ? errno_ret : EPERM;
	if (e > 0xffff)
		return husk_error_set(err, EINVAL, "%s: errnoRet %u out of range", where, e);
	*out = action | e;
	return 0;
}

static int add_arches(scmp_filter_ctx ctx, const struct spec_seccomp *sc, struct husk_error *err)
{
	for (size_t i = 0; sc->architectures && sc->architectures[i]; i++) {
		const char *name = sc->architectures[i];
		int64_t arch = spec_seccomp_arch_from_name(name);
		int r;

		if (arch <= 0)
			return husk_error_set(err, EINVAL,
					      "architectures[%zu]: unknown "
					      "architecture `%s`",
					      i, name);
		r = seccomp_arch_add(ctx, (uint32_t)arch);
		if (r < 0 && r != -EEXIST)
			return husk_error_set(err, -r, "architectures[%zu]: add `%s`", i, name);
	}
	return 0;
}

static int build_conditions(const struct spec_seccomp_syscall *s, size_t idx,
			    struct scmp_arg_cmp *conds, bool *same_index, struct husk_error *err)
{
	unsigned seen = 0;

	*same_index = false;
	for (size_t j = 0; j < s->n_args; j++) {
		const struct spec_seccomp_arg *a = &s->args[j];
		enum scmp_compare op = (enum scmp_compare)a->op_value;

		if (a->index >= 6)
			return husk_error_set(err, EINVAL,
					      "syscalls[%zu].args[%zu].index: %u is "
					      "not a syscall argument (0-5)",
					      idx, j, a->index);
		if (a->op_value <= 0)
			return husk_error_set(err, EINVAL,
					      "syscalls[%zu].args[%zu].op: unknown "
					      "operator `%s`",
					      idx, j, a->op ? a->op : "(missing)");
		if (seen & (1u << a->index))
			*same_index = true;
		seen |= 1u << a->index;
		conds[j] = (struct scmp_arg_cmp){
		    .arg = a->index,
		    .op = op,
		    .datum_a = a->value,
		    .datum_b = op == SCMP_CMP_MASKED_EQ ? a->value_two : 0,
		};
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const char *name,
		    const struct scmp_arg_cmp *conds, size_t n, struct husk_error *err)
{
	int r = seccomp_rule_add_array(ctx, action, nr, (unsigned)n, conds);

	if (r < 0)
		return husk_error_set(err, -r, "add a rule for `%s`", name);
	return 0;
}

static int add_syscall_rules(scmp_filter_ctx ctx, const struct spec_seccomp *sc, size_t idx,
			     uint32_t default_action, bool *notify, struct husk_error *err)
{
	const struct spec_seccomp_syscall *s = &sc->syscalls[idx];
	struct scmp_arg_cmp conds[s->n_args ? s->n_args : 1];
	char where[64];
	uint32_t action;
	bool same_index;

	snprintf(where, sizeof where, "syscalls[%zu].action", idx);
	if (resolve_action(s->action_value, s->action, s->has_errno_ret, s->errno_ret, where,
			   &action, err) < 0)
		return -1;
	if (build_conditions(s, idx, conds, &same_index, err) < 0)
		return -1;
	/* libseccomp refuses a rule that repeats the default; it is a no-op anyway. */
	if (action == default_action)
		return 0;
	if (action == SCMP_ACT_NOTIFY) {
		if (sc->listener_path == NULL || sc->listener_path[0] == '\0')
			return husk_error_set(err, EINVAL,
					      "%s: SCMP_ACT_NOTIFY needs a listenerPath", where);
		if (!kernel_has(KERNEL_SECCOMP_NOTIFY))
			return husk_error_set(err, ENOSYS,
					      "%s: SCMP_ACT_NOTIFY needs seccomp user notification "
					      "(Linux 5.0), which this kernel does not have",
					      where);
		*notify = true;
	}
	for (size_t k = 0; s->names && s->names[k]; k++) {
		const char *name = s->names[k];
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR) {
			husk_debug("seccomp: syscall `%s` unknown to libseccomp, skipped", name);
			continue;
		}
		/* After the filter is loaded the runtime still sends the listener
		 * fd with sendmsg; trapping that would hang the container for good. */
		if (action == SCMP_ACT_NOTIFY && strcmp(name, "sendmsg") == 0)
			return husk_error_set(err, EINVAL,
					      "%s: SCMP_ACT_NOTIFY on sendmsg would block the "
					      "runtime handing out the listener",
					      where);
		if (!same_index) {
			/* all conditions on one rule: AND */
			if (add_rule(ctx, action, nr, name, conds, s->n_args, err) < 0)
				goto fail;
			continue;
		}
		/* runc's semantics: two conditions on one argument cannot both
		 * hold in an AND, so each becomes a rule of its own (OR). */
		for (size_t j = 0; j < s->n_args; j++)
			if (add_rule(ctx, action, nr, name, &conds[j], 1, err) < 0)
				goto fail;
	}
	return 0;
fail:
	return husk_error_prefix(err, "syscalls[%zu]", idx);
}

static int resolve_flags(const struct spec_seccomp *sc, unsigned int *out, struct husk_error *err)
{
	*out = 0;
	for (size_t i = 0; sc->flags && sc->flags[i]; i++) {
		int flag = spec_seccomp_flag_from_name(sc->flags[i]);

		if (flag < 0)
			return husk_error_set(err, EINVAL, "flags[%zu]: unknown flag `%s`", i,
					      sc->flags[i]);
		*out |= (unsigned int)flag;
	}
	return 0;
}

/* libseccomp 2.5 writes BPF only to an fd; a memfd holds it whatever its size. */
static int export_bpf(scmp_filter_ctx ctx, struct seccomp_prog *prog, struct husk_error *err)
{
	_cleanup_close_ int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	if (fd < 0)
		return husk_error_errno(err, "memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return husk_error_set(err, -r, "export the seccomp filter");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return husk_error_errno(err, "lseek");
	if (read_fd_all(fd, 16 << 20, &buf, &len, err) < 0)
		return husk_error_prefix(err, "read the seccomp filter");
	if (len == 0 || len % sizeof(struct sock_filter) != 0)
		return husk_error_set(err, EINVAL, "seccomp filter of odd size %zu", len);
	prog->insns = (struct sock_filter *)steal_pointer(&buf);
	prog->n_insns = len / sizeof(struct sock_filter);
	return 0;
}

static int seccomp_compile_uncached(const struct spec_seccomp *sc, struct seccomp_prog **out,
				    struct husk_error *err);

/* ---- the compiled-filter cache ----
 *
 * libseccomp spends about 10 ms turning podman's default profile into BPF
 * (measured: 434 syscall names on 3 architectures, almost all of it in
 * seccomp_export_bpf), several times what the rest of a container start
 * costs, and every container of a host usually has the same profile.  So
 * the program is kept in <cache>/<hash>, next to the exact bytes of what it
 * was compiled from; a hit must match those bytes in full (the hash only
 * picks the file), so a collision can at worst cost a compile.
 */

#define CACHE_MAGIC "husk-seccomp-3\n"
/* A leading dot: never a container id, so `list` never shows it. */
#define CACHE_DIR_DEFAULT "/run/husk/.seccomp-cache"

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void buf_u64(struct buf *b, uint64_t v)
{
	buf_add(b, &v, sizeof v);
}

static void buf_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_u64(b, UINT64_MAX);
		return;
	}
	buf_u64(b, strlen(s));
	buf_add(b, s, strlen(s));
}

static void buf_strv(struct buf *b, char **v)
{
	size_t n = v ? strv_len(v) : 0;

	buf_u64(b, v ? n : UINT64_MAX);
	for (size_t i = 0; i < n; i++)
		buf_str(b, v[i]);
}

/* Everything the program depends on: the config, libseccomp's version and
 * what it learnt of the kernel, and this file's own format. */
static void cache_key(const struct spec_seccomp *sc, struct buf *b)
{
	const struct scmp_version *v = seccomp_version();

	buf_add(b, CACHE_MAGIC, strlen(CACHE_MAGIC));
	buf_u64(b, ((uint64_t)v->major << 32) | (v->minor << 16) | v->micro);
	buf_u64(b, seccomp_api_get());
	buf_u64(b, seccomp_arch_native());
	buf_str(b, sc->default_action);
	buf_u64(b, sc->has_default_errno_ret ? sc->default_errno_ret : UINT64_MAX);
	buf_strv(b, sc->architectures);
	buf_strv(b, sc->flags);
	buf_str(b, sc->listener_path);
	buf_u64(b, sc->n_syscalls);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct spec_seccomp_syscall *s = &sc->syscalls[i];

		buf_strv(b, s->names);
		buf_str(b, s->action);
		buf_u64(b, s->has_errno_ret ? s->errno_ret : UINT64_MAX);
		buf_u64(b, s->n_args);
		for (size_t j = 0; j < s->n_args; j++) {
			buf_u64(b, s->args[j].index);
			buf_u64(b, s->args[j].value);
			buf_u64(b, s->args[j].value_two);
			buf_str(b, s->args[j].op);
		}
	}
}

static uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * UINT64_C(0x100000001b3);
	return h;
}

/* The cache directory, created 0700; trusted only when it is ours and no
 * one else may write to it.  -1: no cache (not root, or not usable). */
static int cache_dir(void)
{
	const char *dir = getenv("HUSK_SECCOMP_CACHE");
	struct stat st;
	int fd;

	if (dir == NULL)
		dir = geteuid() == 0 ? CACHE_DIR_DEFAULT : "";
	if (dir[0] != '/')
		return -1;
	fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		_cleanup_free_ char *parent = xstrdup(dir);
		char *slash = strrchr(parent, '/');

		if (slash && slash != parent) {
			*slash = '\0';
			mkdir(parent, 0711);
		}
		mkdir(dir, 0700);
		fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* File: key length, key, flags, notify, instruction count, instructions,
 * then a checksum of all that. */
static int cache_load(int dirfd, const char *name, const struct buf *key, struct seccomp_prog *prog)
{
	struct husk_error ignored = HUSK_ERROR_INIT;
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *data = NULL;
	uint64_t klen, flags, notify, n, sum;
	size_t len, off;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return -1;
	if (read_fd_all(fd, 16 << 20, &data, &len, &ignored) < 0) {
		husk_error_clear(&ignored);
		return -1;
	}
	if (len < 5 * sizeof(uint64_t) + key->len)
		return -1;
	memcpy(&sum, data + len - sizeof sum, sizeof sum);
	if (fnv1a(data, len - sizeof sum) != sum)
		return -1;
	memcpy(&klen, data, sizeof klen);
	if (klen != key->len || memcmp(data + sizeof klen, key->data, key->len) != 0)
		return -1;
	off = sizeof klen + key->len;
	memcpy(&flags, data + off, sizeof flags);
	memcpy(&notify, data + off + 8, sizeof notify);
	memcpy(&n, data + off + 16, sizeof n);
	off += 24;
	if (n == 0 || n > BPF_MAXINSNS || len - sizeof sum - off != n * sizeof(struct sock_filter))
		return -1;
	prog->insns = xmalloc(n * sizeof(struct sock_filter));
	memcpy(prog->insns, data + off, n * sizeof(struct sock_filter));
	prog->n_insns = n;
	prog->flags = (unsigned int)flags;
	prog->notify = notify != 0;
	return 0;
}

/* Bound the cache (it lives in RAM under /run): past CACHE_MAX entries,
 * start again from empty.  Only on a miss, which costs a compile anyway. */
#define CACHE_MAX 64

/* ".<name>.<pid>.tmp" of a store that was killed before its rename. */
static bool stale_tmp(const char *name)
{
	const char *end = strrchr(name, '.');
	const char *dot = end;
	int64_t pid;

	if (name[0] != '.' || end == NULL || strcmp(end, ".tmp") != 0)
		return false;
	while (dot > name && dot[-1] != '.')
		dot--;
	_cleanup_free_ char *num = strndup(dot, (size_t)(end - dot));
	if (num == NULL || parse_int64(num, &pid) < 0 || pid <= 0 || pid > INT32_MAX)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static void cache_trim(int dirfd)
{
	_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if (fd < 0 || (d = fdopendir(fd)) == NULL)
		return;
	fd = -1;
	while ((e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
		if (stale_tmp(e->d_name))
			unlinkat(dirfd, e->d_name, 0);
	}
	if (n >= CACHE_MAX) {
		rewinddir(d);
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				unlinkat(dirfd, e->d_name, 0);
	}
	closedir(d);
}

static void cache_store(int dirfd, const char *name, const struct buf *key,
			const struct seccomp_prog *prog)
{
	struct buf b = {0};
	char tmp[96];
	uint64_t sum;
	int fd;

	buf_u64(&b, key->len);
	buf_add(&b, key->data, key->len);
	buf_u64(&b, prog->flags);
	buf_u64(&b, prog->notify);
	buf_u64(&b, prog->n_insns);
	buf_add(&b, prog->insns, prog->n_insns * sizeof(struct sock_filter));
	sum = fnv1a(b.data, b.len);
	buf_u64(&b, sum);
	cache_trim(dirfd);
	/* a private temporary name: two starts may store the same entry at once */
	snprintf(tmp, sizeof tmp, ".%s.%d.tmp", name, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		if (write_all(fd, b.data, b.len) < 0 || renameat(dirfd, tmp, dirfd, name) < 0)
			unlinkat(dirfd, tmp, 0);
		close(fd);
	}
	free(b.data);
}

static int compile_cached(const struct spec_seccomp *sc, struct seccomp_prog **out,
			  struct husk_error *err)
{
	struct buf key = {0};
	_cleanup_close_ int dirfd = -1;
	struct seccomp_prog *prog;
	char name[32];
	int r;

	*out = NULL;
	if (sc == NULL)
		return 0;
	dirfd = cache_dir();
	if (dirfd >= 0) {
		cache_key(sc, &key);
		snprintf(name, sizeof name, "%016llx",
			 (unsigned long long)fnv1a(key.data, key.len));
		prog = xcalloc(1, sizeof *prog);
		prog->sock = -1;
		if (cache_load(dirfd, name, &key, prog) == 0) {
			free(key.data);
			*out = prog;
			return 0;
		}
		seccomp_prog_free(prog);
	}
	r = seccomp_compile_uncached(sc, out, err);
	if (r == 0 && dirfd >= 0)
		cache_store(dirfd, name, &key, *out);
	free(key.data);
	return r;
}

/* listenerPath is a host path: connect now, in the parent, since the
 * container process that loads the filter no longer sees the host's
 * mounts.  The init inherits the socket (see seccomp_listener_socket). */
static int connect_listener(const struct spec_seccomp *sc, struct seccomp_prog *prog,
			    struct husk_error *err)
{
	if (!prog->notify)
		return 0;
	prog->sock = unix_connect("the seccomp listener", sc->listener_path, err);
	return prog->sock < 0 ? -1 : 0;
}

int seccomp_listener_socket(const struct seccomp_prog *prog)
{
	return prog ? prog->sock : -1;
}

int seccomp_compile(const struct spec_seccomp *sc, struct seccomp_prog **out,
		    struct husk_error *err)
{
	if (compile_cached(sc, out, err) < 0)
		return -1;
	if (*out && connect_listener(sc, *out, err) < 0) {
		seccomp_prog_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int seccomp_compile_uncached(const struct spec_seccomp *sc, struct seccomp_prog **out,
				    struct husk_error *err)
{
	struct seccomp_prog *prog;
	scmp_filter_ctx ctx;
	uint32_t def;
	int r;

	if (resolve_action(sc->default_action_value, sc->default_action, sc->has_default_errno_ret,
			   sc->default_errno_ret, "defaultAction", &def, err) < 0)
		return -1;
	if (def == SCMP_ACT_NOTIFY)
		return husk_error_set(err, EINVAL,
				      "defaultAction: SCMP_ACT_NOTIFY cannot be the "
				      "default action");
	prog = xcalloc(1, sizeof *prog);
	prog->sock = -1;
	if (resolve_flags(sc, &prog->flags, err) < 0)
		goto fail;
	ctx = seccomp_init(def);
	if (ctx == NULL) {
		husk_error_set(err, ENOMEM, "seccomp_init");
		goto fail;
	}
	/* The filter is loaded by hand; libseccomp must not set NoNewPrivs,
	 * that belongs to process.noNewPrivileges. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* libseccomp's default rule order, not its binary tree: the tree
	 * compiles 30-60% slower here, and since Linux 5.11 the kernel skips
	 * the BPF altogether for syscalls a filter always allows. */
	if (add_arches(ctx, sc, err) < 0)
		goto fail_ctx;
	for (size_t i = 0; i < sc->n_syscalls; i++)
		if (add_syscall_rules(ctx, sc, i, def, &prog->notify, err) < 0)
			goto fail_ctx;
	r = export_bpf(ctx, prog, err);
	seccomp_release(ctx);
	if (r < 0)
		goto fail;
	*out = prog;
	return 0;
fail_ctx:
	seccomp_release(ctx);
fail:
	seccomp_prog_free(prog);
	return -1;
}

void seccomp_prog_free(struct seccomp_prog *prog)
{
	if (prog == NULL)
		return;
	if (prog->sock >= 0)
		close(prog->sock);
	free(prog->insns);
	free(prog);
}

/* ---- installing, and the notify listener ---- */

static void json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Our pid as the runtime (the host) sees it.  NSpid lists it first when
 * the procfs we hold belongs to an outer pid namespace.  Otherwise, as pid 1
 * of a new pid namespace we are the init, whose host pid the parent put in
 * the state document. */
static pid_t host_pid(const char *state_json)
{
	struct husk_error ignored = HUSK_ERROR_INIT;
	_cleanup_free_ char *status = NULL;
	_cleanup_close_ int fd = procfs_open("self/status", O_RDONLY, &ignored);
	size_t len;
	char *p, *end;
	long first;

	husk_error_clear(&ignored);
	if (fd >= 0 && read_fd_all(fd, 1 << 16, &status, &len, &ignored) == 0 &&
	    (p = strstr(status, "\nNSpid:")) != NULL) {
		first = strtol(p + strlen("\nNSpid:"), &end, 10);
		if (*end == '\t' || *end == ' ')
			return (pid_t)first; /* more than one level: the outermost */
	}
	husk_error_clear(&ignored);
	if (getpid() == 1 && state_json) {
		yajl_val doc = NULL, v;

		if (json_parse(state_json, strlen(state_json), &doc, &ignored) == 0) {
			v = json_member(doc, "pid");
			first = v && YAJL_IS_INTEGER(v) ? (long)YAJL_GET_INTEGER(v) : 0;
			yajl_tree_free(doc);
			if (first > 0)
				return (pid_t)first;
		}
		husk_error_clear(&ignored);
	}
	return getpid();
}

/* The runtime-spec's "container process state" document. */
static char *listener_message(const struct spec_seccomp *sc, const char *state_json, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		return NULL;
	fprintf(f, "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":%d",
		host_pid(state_json));
	if (sc->listener_metadata) {
		fputs(",\"metadata\":", f);
		json_escape(f, sc->listener_metadata);
	}
	fprintf(f, ",\"state\":%s}", state_json && *state_json ? state_json : "{}");
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int seccomp_install(const struct seccomp_prog *prog, const struct spec_seccomp *sc,
		    const char *state_json, struct husk_error *err)
{
	struct sock_fprog fprog;
	_cleanup_close_ int sock = -1;
	_cleanup_free_ char *msg = NULL;
	unsigned int flags;
	size_t len = 0;
	int r;

	if (prog == NULL)
		return 0;
	if (prog->n_insns > BPF_MAXINSNS)
		return husk_error_set(err, E2BIG, "the filter has %zu instructions (max %d)",
				      prog->n_insns, BPF_MAXINSNS);
	flags = prog->flags;
	/* the kernel takes WAIT_KILLABLE_RECV only with a listener; without
	 * one it has nothing to change */
	if (!prog->notify)
		flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	if (prog->notify) {
		/* Everything that may itself be filtered happens before the load:
		 * after it, only sendmsg and close run. */
		msg = listener_message(sc, state_json, &len);
		if (msg == NULL)
			return husk_error_errno(err, "listener message");
		sock = prog->sock >= 0
			   ? dup(prog->sock)
			   : unix_connect("the seccomp listener", sc->listener_path, err);
		if (sock < 0)
			return prog->sock >= 0 ? husk_error_errno(err, "dup") : -1;
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* the kernel refuses TSYNC with a listener unless told how to fail */
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	fprog.len = (unsigned short)prog->n_insns;
	fprog.filter = prog->insns;
	r = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
	if (r < 0) {
		if (errno == EACCES)
			return husk_error_errno(err, "load the filter (it needs "
						     "process.noNewPrivileges or CAP_SYS_ADMIN)");
		return husk_error_errno(err, "load the filter (flags %#x)", flags);
	}
	if (prog->notify) {
		_cleanup_close_ int listener = r;

		if (unix_send_fd(sock, listener, msg, len, err) < 0)
			return husk_error_prefix(err, "listenerPath `%s`", sc->listener_path);
		/* end of message, even while the parent still holds the socket */
		shutdown(sock, SHUT_WR);
	}
	return 0;
}

/* ---- husk check ---- */

void seccomp_check(const struct spec_seccomp *sc, struct check_report *r)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct seccomp_prog *prog = NULL;
	struct stat st;

	/* Uncached: a check writes nothing, not even the filter cache. */
	if (seccomp_compile_uncached(sc, &prog, &err) < 0)
		check_add_error_under(r, "linux.seccomp", &err);
	seccomp_prog_free(prog);
	/* create connects to the listener before it clones the init. */
	if (sc->listener_path && sc->listener_path[0] == '/') {
		if (stat(sc->listener_path, &st) < 0)
			check_add(r, CHECK_ERROR, "linux.seccomp.listenerPath", "`%s`: %s",
				  sc->listener_path, strerror(errno));
		else if (!S_ISSOCK(st.st_mode))
			check_add(r, CHECK_ERROR, "linux.seccomp.listenerPath",
				  "`%s` is not a unix socket", sc->listener_path);
	}
}
