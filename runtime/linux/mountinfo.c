// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one reader of /proc/<pid>/mountinfo (proc(5)): every line split into
 * its fields, paths with their octal escapes (\040 for a space...) undone,
 * no fixed sizes and no limit on the number of mounts.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "linux/mountinfo.h"
#include "util.h"

/* Undo the octal escapes the kernel uses for space, tab, newline and `\`. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static char *next_field(char **p)
{
	char *f = *p;

	if (f == NULL || *f == '\0')
		return NULL;
	char *sp = strchr(f, ' ');
	if (sp) {
		*sp = '\0';
		*p = sp + 1;
	} else {
		*p = f + strlen(f);
	}
	return f;
}

/* id parent maj:min root mount-point mount-options [optional...] - fstype source super-options */
static bool parse_line(char *line, struct mountinfo_entry *e)
{
	char *p = line, *f;

	char *id, *parent;

	memset(e, 0, sizeof *e);
	if (!(id = next_field(&p)) || !(parent = next_field(&p)) || !next_field(&p))
		return false;
	if (parse_uint64(id, &e->id) < 0 || parse_uint64(parent, &e->parent_id) < 0)
		return false;
	e->root = next_field(&p);
	e->mount_point = next_field(&p);
	e->mount_options = next_field(&p);
	if (e->mount_options == NULL)
		return false;
	while ((f = next_field(&p)) != NULL && strcmp(f, "-") != 0)
		;
	if (f == NULL)
		return false;
	e->fstype = next_field(&p);
	e->source = next_field(&p);
	e->super_options = next_field(&p);
	if (e->super_options == NULL)
		return false;
	unescape(e->root);
	unescape(e->mount_point);
	unescape(e->source);
	return true;
}

int mountinfo_foreach(int fd, mountinfo_fn fn, void *data, struct husk_error *err)
{
	_cleanup_free_ char *buf = NULL;

	if (read_fd_all(fd, (size_t)256 << 20, &buf, NULL, err) < 0)
		return husk_error_prefix(err, "read mountinfo");
	for (char *line = buf, *next; line && *line; line = next) {
		struct mountinfo_entry e;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!parse_line(line, &e))
			continue;
		int r = fn(&e, data, err);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	return 0;
}
