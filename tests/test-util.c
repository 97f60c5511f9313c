// SPDX-License-Identifier: GPL-2.0-or-later
/* The error idiom, small helpers, container ids and the state store. */
#include "config.h"
#include "tests/unit.h"
#include "state_store.h"
#include "sync.h"
#include "linux/mountinfo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

TEST(error_prefix_builds_context_chain)
{
	struct husk_error err = HUSK_ERROR_INIT;
	ASSERT_INT_EQ(husk_error_set(&err, ENOENT, "open `%s`", "x"), -1);
	husk_error_prefix(&err, "mount %d", 3);
	husk_error_prefix(&err, "create");
	ASSERT_STREQ(err.msg, "create: mount 3: open `x`");
	ASSERT_STREQ(husk_error_text(&err), "create: mount 3: open `x`: No such file or directory");
	husk_error_clear(&err);
	ASSERT_NULL(err.msg);
	husk_error_set(&err, 0, "plain");
	ASSERT_STREQ(husk_error_text(&err), "plain");
	husk_error_clear(&err);
}

/* The idiom's promise: a caller that does not care passes NULL. */
TEST(error_functions_accept_null)
{
	ASSERT_INT_EQ(husk_error_set(NULL, EIO, "ignored %d", 1), -1);
	ASSERT_INT_EQ(husk_error_errno(NULL, "ignored"), -1);
	ASSERT_INT_EQ(husk_error_prefix(NULL, "ignored"), -1);
	husk_error_clear(NULL);
	ASSERT_STREQ(husk_error_text(NULL), "unknown error");
	ASSERT_INT_EQ(husk_error_report(NULL), 1);
}

TEST(parse_integers_refuse_junk)
{
	int64_t v;
	uint64_t u;
	ASSERT_INT_EQ(parse_int64("-12", &v), 0);
	ASSERT_INT_EQ(v, -12);
	ASSERT_INT_EQ(parse_int64("12x", &v), -1);
	ASSERT_INT_EQ(parse_int64("", &v), -1);
	ASSERT_INT_EQ(parse_int64("99999999999999999999", &v), -1);
	ASSERT_INT_EQ(parse_uint64("-1", &u), -1);
	ASSERT_INT_EQ(parse_uint64("18446744073709551615", &u), 0);
	ASSERT(u == UINT64_MAX);
}

TEST(container_ids)
{
	struct husk_error err = HUSK_ERROR_INIT;
	char long_id[1100];
	ASSERT_INT_EQ(container_id_check("abc_1+2.3-4", &err), 0);
	ASSERT_INT_EQ(container_id_check(".hidden", &err), -1);
	ASSERT_STRSTR(err.msg, "starts with a dot");
	ASSERT_INT_EQ(container_id_check("a/b", &err), -1);
	ASSERT_INT_EQ(container_id_check("../x", &err), -1);
	ASSERT_INT_EQ(container_id_check("", &err), -1);
	ASSERT_INT_EQ(container_id_check("a b", &err), -1);
	memset(long_id, 'a', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	ASSERT_INT_EQ(container_id_check(long_id, &err), -1);
	ASSERT_STRSTR(err.msg, "longer than");
	husk_error_clear(&err);
}

TEST(atomic_write_replaces_whole_file)
{
	char dir[] = "/tmp/husk-unit-XXXXXX";
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_free_ char *back = NULL;
	size_t len;
	ASSERT_NOT_NULL(mkdtemp(dir));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT(dfd >= 0);
	ASSERT_INT_EQ(write_file_atomic_at(dfd, "f", "first", 5, 0600, &err), 0);
	ASSERT_INT_EQ(write_file_atomic_at(dfd, "f", "2nd", 3, 0600, &err), 0);
	ASSERT_INT_EQ(read_file_at(dfd, "f", 100, &back, &len, &err), 0);
	ASSERT_STREQ(back, "2nd");
	ASSERT_UINT_EQ(len, 3);
	/* no temporary file is left */
	ASSERT_INT_EQ(faccessat(dfd, ".f.tmp", F_OK, 0), -1);
	{
		_cleanup_free_ char *small = NULL;
		ASSERT_INT_EQ(read_file_at(dfd, "f", 2, &small, &len, &err), -1);
		ASSERT_STRSTR(err.msg, "larger than 2 bytes");
	}
	unlinkat(dfd, "f", 0);
	close(dfd);
	rmdir(dir);
	husk_error_clear(&err);
}

TEST(state_store_create_open_remove)
{
	char root[] = "/tmp/husk-unit-XXXXXX";
	struct husk_error err = HUSK_ERROR_INIT;
	struct container_ref ref, again;
	struct stat st;
	_cleanup_strv_ char **ids = NULL;
	ASSERT_NOT_NULL(mkdtemp(root));
	ASSERT_INT_EQ(state_store_create(root, "c1", &ref, &err), 0);
	ASSERT_INT_EQ(fstat(ref.dirfd, &st), 0);
	ASSERT_UINT_EQ(st.st_mode & 0777, 0700);
	ASSERT_INT_EQ(state_store_create(root, "c1", &again, &err), -1);
	ASSERT_STRSTR(err.msg, "already exists");
	container_ref_release(&again);
	ASSERT_INT_EQ(state_store_list(root, &ids, &err), 0);
	ASSERT_STREQ(ids[0], "c1");
	ASSERT_NULL(ids[1]);
	ASSERT_INT_EQ(state_store_remove(root, &ref, &err), 0);
	container_ref_release(&ref);
	ASSERT_INT_EQ(state_store_open(root, "c1", &ref, &err), -1);
	ASSERT_STRSTR(err.msg, "does not exist");
	container_ref_release(&ref);
	rmdir(root);
	husk_error_clear(&err);
}

TEST(process_identity)
{
	uint64_t t = process_start_time(getpid());
	ASSERT(t > 0);
	ASSERT(process_is_same(getpid(), t));
	ASSERT(!process_is_same(getpid(), t + 1));
	ASSERT(!process_is_same(0, t));
	int fd = process_pidfd_open(getpid(), t + 1);
	ASSERT_INT_EQ(fd, -1);
	fd = process_pidfd_open(getpid(), t);
	ASSERT(fd >= 0);
	close(fd);
}

struct mi_seen {
	size_t n;
	char last_point[256], last_root[64], last_source[64], last_fstype[32], last_super[64];
};

static int mi_count(const struct mountinfo_entry *e, void *data, struct husk_error *err)
{
	struct mi_seen *s = data;
	(void)err;
	s->n++;
	snprintf(s->last_point, sizeof s->last_point, "%s", e->mount_point);
	snprintf(s->last_root, sizeof s->last_root, "%s", e->root);
	snprintf(s->last_source, sizeof s->last_source, "%s", e->source);
	snprintf(s->last_fstype, sizeof s->last_fstype, "%s", e->fstype);
	snprintf(s->last_super, sizeof s->last_super, "%s", e->super_options);
	return 0;
}

/* Many lines, optional fields, escapes and a 200-byte path: nothing dropped. */
TEST(mountinfo_parses_every_line_and_unescapes)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct mi_seen seen = {0};
	int fd = memfd_create("mi", MFD_CLOEXEC);
	char line[512];

	ASSERT(fd >= 0);
	for (int i = 0; i < 100; i++) {
		int n = snprintf(line, sizeof line,
				 "%d 1 0:%d / /sys/fs/cgroup/h%d rw,nosuid shared:%d master:2 - "
				 "cgroup cgroup rw,pids\n",
				 30 + i, i, i, i);
		ASSERT(write(fd, line, (size_t)n) == n);
	}
	char longdir[201];
	memset(longdir, 'x', 200);
	longdir[200] = '\0';
	int n = snprintf(line, sizeof line,
			 "200 1 0:9 /sub\\040dir /mnt/with\\040space\\011tab\\134/%s rw - "
			 "ext4 /dev/my\\040disk rw,errors=remount-ro\n",
			 longdir);
	ASSERT(write(fd, line, (size_t)n) == n);
	ASSERT(write(fd, "garbage line\n", 13) == 13);
	ASSERT(lseek(fd, 0, SEEK_SET) == 0);
	ASSERT_INT_EQ(mountinfo_foreach(fd, mi_count, &seen, &err), 0);
	close(fd);
	ASSERT_INT_EQ((int)seen.n, 101);
	char want[256];
	snprintf(want, sizeof want, "/mnt/with space\ttab\\/%s", longdir);
	ASSERT_STREQ(seen.last_point, want);
	ASSERT_STREQ(seen.last_root, "/sub dir");
	ASSERT_STREQ(seen.last_source, "/dev/my disk");
	ASSERT_STREQ(seen.last_fstype, "ext4");
	ASSERT_STREQ(seen.last_super, "rw,errors=remount-ro");
}

/* The init failed and exited with a message of ours unread: its error, not
 * "Connection reset by peer", is what the parent reads. */
TEST(sync_init_error_wins_over_reset)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct sync_msg m;
	char *why = NULL;
	int sp[2];

	ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
	ASSERT_INT_EQ(sync_send(sp[0], SYNC_CGROUP_DONE, 0, NULL, 0, &err), 0);
	ASSERT_INT_EQ(sync_send(sp[1], SYNC_ERROR, EACCES, "apparmor: no such profile", 25, &err),
		      0);
	close(sp[1]);
	ASSERT_INT_EQ(sync_recv(sp[0], &m, &why, &err), 0);
	ASSERT_INT_EQ(m.type, SYNC_ERROR);
	ASSERT_INT_EQ(m.errnum, EACCES);
	ASSERT_STREQ(why, "apparmor: no such profile");
	free(why);
	ASSERT(sync_recv(sp[0], &m, &why, &err) < 0);
	ASSERT_INT_EQ(err.errnum, ECONNRESET);
	husk_error_clear(&err);
	close(sp[0]);
}

int main(void)
{
	RUN(error_prefix_builds_context_chain);
	RUN(error_functions_accept_null);
	RUN(parse_integers_refuse_junk);
	RUN(container_ids);
	RUN(atomic_write_replaces_whole_file);
	RUN(state_store_create_open_remove);
	RUN(process_identity);
	RUN(mountinfo_parses_every_line_and_unescapes);
	RUN(sync_init_error_wins_over_reset);
	return unit_done();
}
