// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup v2: controllers enabled on the way down, v1-style values
 * converted (shares -> cpu.weight, swap -> memory.swap.max, ...), -1 written
 * as "max", and the device list as a BPF_PROG_TYPE_CGROUP_DEVICE program.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

void cg_fmt_max(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
}

/* ---- controllers ---- */

static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; p && *p;) {
		p += strspn(p, " \n");
		size_t l = strcspn(p, " \n");
		if (l == n && strncmp(p, w, n) == 0)
			return true;
		p += l;
	}
	return false;
}

int cg_v2_enable_controllers(struct cgroup_handle *cg, const char *const *ctrls,
			     struct husk_error *err)
{
	struct cg_hier *u = &cg->h[cg->unified];
	_cleanup_close_ int fd = open(u->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *copy = xstrdup(cg->path);
	_cleanup_free_ char *where = xstrdup("");
	char *save = NULL;
	char *next;

	if (ctrls == NULL || ctrls[0] == NULL)
		return 0;
	if (fd < 0)
		return husk_error_errno(err, "cgroups: open %s", u->mount);
	/* every ancestor of the leaf, the hierarchy's root included */
	for (char *t = strtok_r(copy, "/", &save); t; t = next) {
		_cleanup_free_ char *avail = NULL, *on = NULL;
		struct husk_error e = HUSK_ERROR_INIT;
		size_t len;

		next = strtok_r(NULL, "/", &save);
		read_file_at(fd, "cgroup.controllers", 4096, &avail, &len, &e);
		husk_error_clear(&e);
		read_file_at(fd, "cgroup.subtree_control", 4096, &on, &len, &e);
		husk_error_clear(&e);
		for (size_t i = 0; ctrls[i]; i++) {
			if (word_in(on, ctrls[i]))
				continue;
			if (!word_in(avail, ctrls[i]))
				return husk_error_set(err, ENOTSUP,
						      "cgroups: the %s controller is not available "
						      "in %s%s/",
						      ctrls[i], u->mount, where);
			_cleanup_free_ char *v = xasprintf("+%s", ctrls[i]);
			_cleanup_close_ int w =
			    openat(fd, "cgroup.subtree_control", O_WRONLY | O_CLOEXEC);
			if (w < 0 || write(w, v, strlen(v)) < 0)
				return husk_error_errno(err,
							"cgroups: enable %s in %s%s/"
							"cgroup.subtree_control",
							ctrls[i], u->mount, where);
		}
		int child = openat(fd, t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (child < 0)
			return husk_error_errno(err, "cgroups: open %s%s/%s", u->mount, where, t);
		close(fd);
		fd = child;
		char *w2 = xasprintf("%s/%s", where, t);
		free(where);
		where = w2;
		if (next == NULL)
			break;
	}
	return 0;
}

/* The controllers the resources need in the unified hierarchy. */
static void needed_controllers(struct cgroup_handle *cg, const struct spec_resources *r,
			       const char **out, size_t max)
{
	size_t n = 0;
	const struct spec_cpu *c = r->cpu;
	struct {
		const char *name;
		bool want;
	} all[] = {
	    {"memory", r->memory != NULL},
	    {"cpu",
	     c && (c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_idle)},
	    {"cpuset", c && ((c->cpus && *c->cpus) || (c->mems && *c->mems))},
	    {"pids", r->pids != NULL},
	    {"io", r->block_io != NULL},
	    {"hugetlb", r->n_hugepage_limits > 0},
	    {"rdma", r->n_rdma > 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(all) && n + 1 < max; i++)
		if (all[i].want && cg_v2_hier(cg, all[i].name))
			out[n++] = all[i].name;
	for (size_t i = 0; i < r->n_unified && n + 1 < max; i++) {
		const char *k = r->unified[i].key;
		size_t l = strcspn(k, ".");
		if (k[l] == '\0' || (l == 6 && strncmp(k, "cgroup", 6) == 0))
			continue;
		_cleanup_free_ char *name = strndup(k, l);
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup = dup || strcmp(out[j], name) == 0;
		if (dup || cg_v2_hier(cg, name) == NULL)
			continue;
		/* point into the static table when we can, else skip: only
		 * known controllers are worth enabling */
		static const char *const known[] = {"memory", "cpu",	 "cpuset", "pids",
						    "io",     "hugetlb", "rdma",   "misc"};
		for (size_t j = 0; j < ARRAY_SIZE(known); j++)
			if (strcmp(known[j], name) == 0)
				out[n++] = known[j];
	}
	out[n] = NULL;
}

/* ---- resources ---- */

static int pids(struct cgroup_handle *cg, const struct spec_pids *p, struct husk_error *err)
{
	return cg_write_pids(cg_v2_hier(cg, "pids"), p, err);
}

static int hugetlb(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	struct cg_hier *h = cg_v2_hier(cg, "hugetlb");

	return h ? cg_write_hugepage_limits(h, r, "max", err) : 0;
}

static int rdma(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	return cg_write_rdma(cg_v2_hier(cg, "rdma"), r, err);
}

static int unified(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	struct cg_hier *h = &cg->h[cg->unified];

	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		_cleanup_free_ char *f = xasprintf("linux.resources.unified.%s", k);
		if (*k == '\0' || strchr(k, '/') || k[0] == '.')
			return husk_error_set(err, EINVAL, "%s: not a cgroup file name", f);
		/* hybrid: only what the unified hierarchy really controls here */
		if (cg->layout != CG_UNIFIED && !cg_has_file(h, k))
			return husk_error_set(err, EOPNOTSUPP,
					      "%s: needs cgroup v2, and this host uses cgroup v1 "
					      "for that controller",
					      f);
		if (cg_write(h, f, k, r->unified[i].value, err) < 0)
			return -1;
	}
	return 0;
}

int cg_v2_apply(struct cgroup_handle *cg, const struct spec_resources *res, bool update,
		struct husk_error *err)
{
	const char *ctrls[16];

	needed_controllers(cg, res, ctrls, ARRAY_SIZE(ctrls));
	if (cg_v2_enable_controllers(cg, ctrls, err) < 0)
		return -1;
	if (cg_memory_v2(cg, res->memory, update, err) < 0 || cg_cpu_v2(cg, res->cpu, err) < 0 ||
	    pids(cg, res->pids, err) < 0 || cg_io_v2(cg, res->block_io, err) < 0 ||
	    hugetlb(cg, res, err) < 0 || rdma(cg, res, err) < 0 || unified(cg, res, err) < 0)
		return -1;
	return 0;
}

/* ---- devices: an eBPF program ---- */

struct insn_buf {
	struct bpf_insn *v;
	size_t n, cap;
};

static void emit(struct insn_buf *b, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
		 int32_t imm)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->v = xrealloc(b->v, b->cap * sizeof *b->v);
	}
	b->v[b->n++] =
	    (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

#define LDX_W(b, dst, src, off) emit(b, BPF_LDX | BPF_W | BPF_MEM, dst, src, off, 0)
#define MOV32_REG(b, dst, src) emit(b, BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define ALU32_IMM(b, op, dst, imm) emit(b, BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV64_IMM(b, dst, imm) emit(b, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JMP_IMM(b, op, dst, imm) emit(b, BPF_JMP | (op) | BPF_K, dst, 0, 0, imm)
#define EXIT(b) emit(b, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int access_bits(const char *a)
{
	int v = 0;

	if (strchr(a, 'm'))
		v |= BPF_DEVCG_ACC_MKNOD;
	if (strchr(a, 'r'))
		v |= BPF_DEVCG_ACC_READ;
	if (strchr(a, 'w'))
		v |= BPF_DEVCG_ACC_WRITE;
	return v;
}

/* One rule: a run of "skip this rule unless ..." tests, then the verdict.
 * Every skip jumps to the end of the block, i.e. to the next rule. */
static void emit_rule(struct insn_buf *b, const struct cg_dev_rule *r)
{
	const int all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
	int acc = access_bits(r->access);
	size_t start = b->n;

	if (r->type != 'a')
		JMP_IMM(b, BPF_JNE, 2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	if (r->major >= 0)
		JMP_IMM(b, BPF_JNE, 4, (int32_t)r->major);
	if (r->minor >= 0)
		JMP_IMM(b, BPF_JNE, 5, (int32_t)r->minor);
	if (acc != all) {
		MOV32_REG(b, 0, 3);
		if (r->allow) {
			/* allow only when every requested access is in the rule */
			ALU32_IMM(b, BPF_AND, 0, ~acc & all);
			JMP_IMM(b, BPF_JNE, 0, 0);
		} else {
			/* deny as soon as one requested access is in the rule */
			ALU32_IMM(b, BPF_AND, 0, acc);
			JMP_IMM(b, BPF_JEQ, 0, 0);
		}
	}
	MOV64_IMM(b, 0, r->allow ? 1 : 0);
	EXIT(b);
	for (size_t i = start; i < b->n; i++)
		if (BPF_CLASS(b->v[i].code) == BPF_JMP && BPF_OP(b->v[i].code) != BPF_EXIT)
			b->v[i].off = (int16_t)(b->n - i - 1);
}

static bool rule_is_total(const struct cg_dev_rule *r)
{
	return r->type == 'a' && r->major < 0 && r->minor < 0 && strcmp(r->access, "rwm") == 0;
}

static int bpf_sys(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int cg_v2_devices(struct cg_hier *h, const struct cg_dev_rule *rules, size_t n,
		  struct husk_error *err)
{
	struct insn_buf b = {0};
	union bpf_attr attr;
	_cleanup_close_ int prog = -1;
	static char log[8192];

	/* r2 = device type, r3 = requested access, r4 = major, r5 = minor */
	LDX_W(&b, 2, 1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	MOV32_REG(&b, 3, 2);
	ALU32_IMM(&b, BPF_AND, 2, 0xffff);
	ALU32_IMM(&b, BPF_RSH, 3, 16);
	LDX_W(&b, 4, 1, offsetof(struct bpf_cgroup_dev_ctx, major));
	LDX_W(&b, 5, 1, offsetof(struct bpf_cgroup_dev_ctx, minor));
	/* the last matching rule wins, as with v1's devices.allow/deny writes */
	bool total = false;
	for (size_t i = n; i-- > 0;) {
		emit_rule(&b, &rules[i]);
		if (rule_is_total(&rules[i])) {
			total = true;
			break;
		}
	}
	if (!total) {
		MOV64_IMM(&b, 0, 0);
		EXIT(&b);
	}

	memset(&attr, 0, sizeof attr);
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)b.v;
	attr.insn_cnt = (uint32_t)b.n;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	prog = bpf_sys(BPF_PROG_LOAD, &attr);
	if (prog < 0) {
		int e = errno;
		/* again with the verifier's log, to say why */
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = sizeof log;
		attr.log_level = 1;
		log[0] = '\0';
		bpf_sys(BPF_PROG_LOAD, &attr);
		free(b.v);
		log[strcspn(log, "\n")] = '\0';
		return husk_error_set(err, e,
				      "linux.resources.devices: load the device filter "
				      "(BPF_PROG_TYPE_CGROUP_DEVICE)%s%s",
				      log[0] ? ": " : "", log);
	}
	free(b.v);
	memset(&attr, 0, sizeof attr);
	attr.target_fd = (uint32_t)h->dirfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf_sys(BPF_PROG_ATTACH, &attr) < 0)
		return husk_error_errno(err, "linux.resources.devices: attach the device filter "
					     "to the cgroup");
	return 0;
}

/* ---- freezer ---- */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int cg_v2_freeze(struct cg_hier *h, bool freeze, struct husk_error *err)
{
	const char *want = freeze ? "frozen 1" : "frozen 0";

	if (cg_write(h, freeze ? "pause" : "resume", "cgroup.freeze", freeze ? "1" : "0", err) < 0)
		return -1;
	/* cgroup.events says when every task has actually stopped */
	for (int i = 0; i < 1000; i++) {
		_cleanup_free_ char *ev = cg_read(h, "cgroup.events");
		if (ev == NULL)
			return husk_error_errno(err, "read cgroup.events");
		if (strstr(ev, want))
			return 0;
		sleep_ms(i < 10 ? 1 : 10);
	}
	if (freeze)
		cg_write(h, "pause", "cgroup.freeze", "0", err);
	return husk_error_set(err, EBUSY, "%s: the cgroup did not become %s",
			      freeze ? "pause" : "resume", freeze ? "frozen" : "thawed");
}
