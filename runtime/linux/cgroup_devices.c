// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The devices controller (linux.resources.devices), v1 and v2 together: one
 * ordered rule list (deny all, the configured rules, the devices a
 * container may always use), written to v1's devices.deny/devices.allow or
 * compiled into a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the v2
 * cgroup.  The kernel keeps no statistics of it for `events`.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

/* The devices a container may always use (/dev/null, ...), plus linux.devices. */
struct cg_dev_rule {
	bool allow;
	char type;	      /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1: any */
	char access[4];
};

static const struct cg_dev_rule default_devices[] = {
    {true, 'c', -1, -1, "m"},	 {true, 'b', -1, -1, "m"}, /* mknod anything */
    {true, 'c', 1, 3, "rwm"},				   /* null */
    {true, 'c', 1, 8, "rwm"},				   /* random */
    {true, 'c', 1, 7, "rwm"},				   /* full */
    {true, 'c', 5, 0, "rwm"},				   /* tty */
    {true, 'c', 1, 5, "rwm"},				   /* zero */
    {true, 'c', 1, 9, "rwm"},				   /* urandom */
    {true, 'c', 5, 1, "rwm"},				   /* console */
    {true, 'c', 136, -1, "rwm"},			   /* pts */
    {true, 'c', 5, 2, "rwm"},				   /* ptmx */
};

/* The full ordered rule list: deny all, the configured rules, then the
 * standard devices (never linux.devices).  Later rules take precedence.
 * linux.devices only makes nodes: whether they may be used is decided by
 * linux.resources.devices alone, so a config can list a node and deny it. */
static int device_rules(const struct spec_resources *res, struct cg_dev_rule **out, size_t *n,
			struct husk_error *err)
{
	size_t nres = res ? res->n_devices : 0;
	struct cg_dev_rule *r = xcalloc(1 + nres + ARRAY_SIZE(default_devices), sizeof *r);
	size_t k = 0;

	r[k++] = (struct cg_dev_rule){false, 'a', -1, -1, "rwm"};
	for (size_t i = 0; i < nres; i++) {
		const struct spec_device_cgroup *d = &res->devices[i];
		struct cg_dev_rule *x = &r[k];
		const char *acc = d->access && *d->access ? d->access : "rwm";

		x->allow = d->allow;
		x->type = d->type && *d->type ? d->type[0] : 'a';
		if (!strchr("acb", x->type) || (d->type && strlen(d->type) != 1)) {
			free(r);
			return husk_error_set(
			    err, EINVAL, "linux.resources.devices[%zu].type: `%s` is not a, c or b",
			    i, d->type);
		}
		x->major = d->has_major ? d->major : -1;
		x->minor = d->has_minor ? d->minor : -1;
		if (strlen(acc) > 3 || strspn(acc, "rwm") != strlen(acc)) {
			free(r);
			return husk_error_set(err, EINVAL,
					      "linux.resources.devices[%zu].access: `%s` is not a "
					      "combination of r, w and m",
					      i, acc);
		}
		/* keep a canonical order so comparisons are simple */
		int o = 0;
		for (const char *c = "rwm"; *c; c++)
			if (strchr(acc, *c))
				x->access[o++] = *c;
		x->access[o] = '\0';
		k++;
	}
	memcpy(&r[k], default_devices, sizeof default_devices);
	k += ARRAY_SIZE(default_devices);
	*out = r;
	*n = k;
	return 0;
}

/* ---- v1: devices.deny and devices.allow ---- */

static void format_rule(const struct cg_dev_rule *r, char *buf, size_t len)
{
	char maj[24], min[24];

	if (r->type == 'a') {
		snprintf(buf, len, "a");
		return;
	}
	if (r->major < 0)
		snprintf(maj, sizeof maj, "*");
	else
		snprintf(maj, sizeof maj, "%" PRId64, r->major);
	if (r->minor < 0)
		snprintf(min, sizeof min, "*");
	else
		snprintf(min, sizeof min, "%" PRId64, r->minor);
	snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, r->access);
}

/* Each write(2) to devices.allow or devices.deny is one rule, so the two
 * files are opened once for all the rules (a default config has a dozen:
 * two syscalls fewer for each). */
static int devices_v1(struct cg_hier *h, const struct cg_dev_rule *rules, size_t n,
		      struct husk_error *err)
{
	static const char *const files[2] = {"devices.deny", "devices.allow"};
	_cleanup_close_ int deny = -1;
	_cleanup_close_ int allow = -1;

	if (n > 0 && h->dirfd < 0)
		return husk_error_set(err, ENOENT,
				      "linux.resources.devices: no cgroup directory to write to");
	for (size_t i = 0; i < n; i++) {
		int *fd = rules[i].allow ? &allow : &deny;
		const char *file = files[rules[i].allow];
		char buf[96];
		size_t len;

		format_rule(&rules[i], buf, sizeof buf);
		len = strlen(buf);
		if (*fd < 0)
			*fd = openat(h->dirfd, file, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (*fd < 0)
			return husk_error_errno(err, "linux.resources.devices: open %s", file);
		if (write(*fd, buf, len) != (ssize_t)len)
			return husk_error_errno(err, "linux.resources.devices: write `%s` to %s",
						buf, file);
		husk_debug("cgroup devices/%s <- %s", file, buf);
	}
	return 0;
}

/* ---- v2: an eBPF program ---- */

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

static int devices_v2(struct cg_hier *h, const struct cg_dev_rule *rules, size_t n,
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

/* ---- applying it ---- */

int cg_devices_apply(struct cgroup_handle *cg, struct husk_error *err)
{
	const struct spec_resources *res =
	    cg->cfg && cg->cfg->linux ? cg->cfg->linux->resources : NULL;
	_cleanup_free_ struct cg_dev_rule *rules = NULL;
	size_t n = 0;

	if (device_rules(res, &rules, &n, err) < 0)
		return -1;
	if (cg->layout == CG_UNIFIED)
		return devices_v2(&cg->h[cg->unified], rules, n, err);
	struct cg_hier *h = cg_find(cg, "devices");
	if (h == NULL || cg_is_v2(cg, h))
		return 0;
	return devices_v1(h, rules, n, err);
}
