/* SPDX-License-Identifier: MIT */
/*
 * Hostile filesystems, names and command lines: pinned trees someone else can write (symbolic
 * links at every level, foreign files, other filesystems mounted inside, objects of the wrong
 * kind), names that would become paths outside where they belong, object files that are not
 * regular files or change under bel, and command lines with bad numbers and unprintable names.
 * Every fixture lives under a fresh directory of this process in /sys/fs/bpf and in /tmp;
 * both go (mounts first) when the suite ends, whatever happened.
 *
 * The binary wraps syscall() and unlinkat(): to play a kernel without openat2 or without
 * BPF_F_PATH_FD, and to make the N-th removal of an unpin fail.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bel/bel.h"
#include "syscall/bpf.h"
#include "syscall_wrap.h"
#include "testutil.h"

#ifndef BEL_CLI
#error "BEL_CLI must be defined by the build"
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define PATH_FD_FLAG (1U << 14) /* BPF_F_PATH_FD */

/* ---- the wraps ------------------------------------------------------------------------- */

enum kernel_mode { KERNEL_NOW, KERNEL_NO_PATH_FD, KERNEL_NO_OPENAT2, KERNEL_MODES };
static const char *const mode_names[] = {"this kernel", "no BPF_F_PATH_FD", "no openat2"};
static enum kernel_mode mode;
static long fail_unlinkat_at, unlinkat_calls;

long syscall_hook(long n, const long a[6])
{
	if (n == SYS_openat2 && mode == KERNEL_NO_OPENAT2) {
		errno = ENOSYS;
		return -1;
	}
	/* kernels before 6.5 know no path_fd: the flag is an unknown bit */
	if (n == __NR_bpf && mode != KERNEL_NOW && (a[0] == BPF_OBJ_PIN || a[0] == BPF_OBJ_GET) &&
	    (((union bpf_attr *)a[1])->file_flags & PATH_FD_FLAG)) {
		errno = EINVAL;
		return -1;
	}
	return real_syscall(n, a);
}

int __real_unlinkat(int dirfd, const char *path, int flags);
int __wrap_unlinkat(int dirfd, const char *path, int flags)
{
	if (fail_unlinkat_at && ++unlinkat_calls == fail_unlinkat_at) {
		errno = EBUSY;
		return -1;
	}
	return __real_unlinkat(dirfd, path, flags);
}

/* ---- where fixtures go ----------------------------------------------------------------- */

static char bpf_top[256], tmp_top[256];

/* Unmount whatever a test mounted below our directories, deepest first. */
static void unmount_below(const char *top)
{
	char line[8192], mounts[64][4096];
	int n = 0, i;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return;
	while (n < 64 && fgets(line, sizeof(line), f)) {
		char point[4096];

		/* id parent major:minor root mount-point ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 &&
		    !strncmp(point, top, strlen(top)))
			snprintf(mounts[n++], sizeof(mounts[0]), "%s", point);
	}
	fclose(f);
	for (i = n - 1; i >= 0; i--)
		umount2(mounts[i], MNT_DETACH);
}

static void setup(void)
{
	if (geteuid() != 0)
		return;
	snprintf(bpf_top, sizeof(bpf_top), "/sys/fs/bpf/bel-hostile-%d", (int)getpid());
	snprintf(tmp_top, sizeof(tmp_top), "/tmp/bel-hostile-%d", (int)getpid());
	mkdir(bpf_top, 0700);
	mkdir(tmp_top, 0700);
}

static void teardown(void)
{
	if (!bpf_top[0])
		return;
	unmount_below(bpf_top);
	unmount_below(tmp_top);
	remove_tree(bpf_top);
	remove_tree(tmp_top);
}

/* A fresh directory "<top>/<name>" for one test. */
static const char *fresh_dir(char *buf, size_t size, const char *top, const char *name)
{
	snprintf(buf, size, "%s/%s", top, name);
	unmount_below(buf);
	remove_tree(buf);
	ck_assert_msg(mkdir(buf, 0700) == 0, "mkdir %s: %s", buf, strerror(errno));
	return buf;
}

static bool ready(void)
{
	if (!kernel_ready())
		return false;
	ck_assert_msg(bpf_top[0], "the suite's directories were not made");
	return true;
}

/* ---- small helpers --------------------------------------------------------------------- */

static bool exists_fmt(int type, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool exists_fmt(int type, const char *fmt, ...)
{
	char path[8192];
	struct stat st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return lstat(path, &st) == 0 && (!type || (st.st_mode & S_IFMT) == (unsigned int)type);
}

static void write_sentinel(const char *path)
{
	FILE *f = fopen(path, "we");

	ck_assert_msg(f, "cannot create %s", path);
	fputs("sentinel\n", f);
	fclose(f);
}

static void check_sentinel(const char *path)
{
	char buf[32] = {0};
	FILE *f = fopen(path, "re");

	ck_assert_msg(f, "sentinel %s is gone", path);
	ck_assert_int_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
	fclose(f);
	ck_assert_str_eq(buf, "sentinel\n");
}

/* Nothing named like bel's temporary directories is left in dir. */
static void check_no_leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		ck_assert_msg(strncmp(de->d_name, "bel-unpin-", 10) && strncmp(de->d_name, "bel-tmp-", 8),
			      "%s/%s left behind", dir, de->d_name);
	closedir(d);
}

static struct bel_object *open_named(const char *fixture, const char *name, const char *pin_root)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .name = name, .pin_root = pin_root};
	struct bel_object *obj = NULL;

	ck_assert_msg(bel_object_open_file(fixture_path(fixture), &opts, &obj) == 0, "open %s: %s",
		      fixture, bel_thread_error());
	return obj;
}

/* Load hello and pin it as root/<name>. */
static void pin_hello(const char *root, const char *name)
{
	struct bel_object *obj = open_named("hello", name, NULL);

	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ck_assert_msg(bel_object_pin(obj, root) == 0, "pin: %s", bel_object_last_error(obj));
	bel_object_close(obj);
}

static const char *const hello_maps[] = {"exec_count", "events", "_rodata", "_bss"};
static const char *const hello_progs[] = {"handle_exec", "handle_exit"};

/* The id of what is pinned at path (0 if nothing is). */
static uint32_t pinned_id(const char *path)
{
	struct bpf_prog_info info; /* larger than map and link info; the id is the second field */
	uint32_t len = sizeof(info);
	int fd = bel_sys_obj_get(path, 0); /* no path fd: the wrap passes it on in every mode */

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bel_sys_obj_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

/* Every pin of a hello tree is where it was (the kinds not listed in skip). */
static void check_hello_tree(const char *tree, const char *skip)
{
	unsigned int i;

	ck_assert_msg(exists_fmt(S_IFDIR, "%s", tree), "%s is gone", tree);
	for (i = 0; i < 4 && !(skip && strstr(skip, "maps")); i++)
		ck_assert_msg(exists_fmt(S_IFREG, "%s/maps/%s", tree, hello_maps[i]), "%s/maps/%s gone",
			      tree, hello_maps[i]);
	for (i = 0; i < 2 && !(skip && strstr(skip, "programs")); i++)
		ck_assert_msg(exists_fmt(S_IFREG, "%s/programs/%s", tree, hello_progs[i]),
			      "%s/programs/%s gone", tree, hello_progs[i]);
}

/* Run argv with stdout and stderr into out; returns the exit status (-1: killed). */
static int run_argv(const char *const *argv, char *out, size_t size)
{
	int pipefd[2], status;
	size_t n = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t got = read(pipefd[0], out + n, n + 1 < size ? size - 1 - n : 0);
		char sink[4096];

		if (n + 1 >= size)
			got = read(pipefd[0], sink, sizeof(sink)) > 0 ? 0 : -1;
		if (got <= 0 && (n + 1 < size || got < 0))
			break;
		n += (size_t)got;
	}
	out[n] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A copy of a fixture with every occurrence of `from` replaced by `to`, padded with NULs to
 * the same length (so "" empties the name in place). */
static void *patched_fixture(const char *fixture, const char *from, const char *to, size_t *size)
{
	size_t len = strlen(from), i, hits = 0;
	uint8_t *img = read_file(fixture_path(fixture), size);
	char repl[256] = {0};

	ck_assert_ptr_nonnull(img);
	ck_assert_uint_le(strlen(to), len);
	ck_assert_uint_lt(len, sizeof(repl));
	memcpy(repl, to, strlen(to));
	for (i = 0; i + len <= *size; i++)
		if (!memcmp(img + i, from, len)) {
			memcpy(img + i, repl, len);
			hits++;
		}
	ck_assert_msg(hits, "%s not found in %s", from, fixture);
	return img;
}

static void write_file(const char *path, const void *buf, size_t size)
{
	FILE *f = fopen(path, "we");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, size, f), size);
	fclose(f);
}

static struct bel_object *open_image(const void *img, size_t size, const char *name,
				     const char *pin_root)
{
	struct bel_open_opts opts = {.sz = sizeof(opts), .name = name, .pin_root = pin_root};
	struct bel_object *obj = NULL;

	ck_assert_msg(bel_object_open_mem(img, size, &opts, &obj) == 0, "open: %s", bel_thread_error());
	return obj;
}

/* ---- adversarial pinned trees: unpin ----------------------------------------------------- */

/*
 * Each scenario pins hello as B/hello (and, for some, another tree B/victim), then changes the
 * tree the way someone with write access to it could. Unpin must refuse, remove nothing, leave
 * the tree under its name and touch nothing outside it.
 */
enum tree_attack {
	TREE_IS_SYMLINK,          /* B/link -> B/hello: the tree itself */
	MAPS_SYMLINK_TMP,         /* B/hello/maps -> a /tmp directory with files */
	MAPS_SYMLINK_BPFFS,       /* B/hello/maps -> B/victim/maps */
	PIN_SYMLINK,              /* B/hello/maps/exec_count -> B/victim/maps/exec_count */
	EXTRA_DIR,                /* B/hello/extra/ */
	STRAY_PIN,                /* B/hello/stray: a pin outside maps/programs/links */
	NESTED_DIR,               /* B/hello/maps/sub/ with a pin inside */
	TMPFS_MOUNTED,            /* a tmpfs with a file, mounted on B/hello/links */
	BIND_TMP,                 /* a /tmp directory bind-mounted on B/hello/links */
	BIND_BPFFS,               /* B/victim/maps bind-mounted on B/hello/links (same fs) */
	PROG_IN_MAPS,             /* a pinned program under maps/ */
	MAP_IN_PROGRAMS,          /* a pinned map under programs/ */
	NOT_BPFFS,                /* a look-alike tree in /tmp with regular files */
	TREE_ATTACKS,
};

static const char *const attack_names[] = {
	"tree is a symlink", "maps/ symlink to /tmp", "maps/ symlink to bpffs", "pin symlink",
	"extra directory", "stray pin", "nested directory", "tmpfs mounted", "bind mount from /tmp",
	"bind mount from bpffs", "program in maps/", "map in programs/", "tree on /tmp",
};

static void remove_kind_dir(const char *tree, const char *kind)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", tree, kind);
	ck_assert_int_eq(remove_tree(path), 0);
}

static void pin_again(const char *from, const char *to)
{
	int fd = bel_sys_obj_get(from, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bel_sys_obj_pin(fd, to), 0);
	close(fd);
}

START_TEST(test_unpin_refuses_hostile_trees)
{
	enum tree_attack attack = (enum tree_attack)(_i % TREE_ATTACKS);
	char b[512], t[512], tree[1024], victim[1024], outside[1024], path[4096], p2[4096];
	char err[1024] = "";
	const char *target, *skip = NULL;
	uint32_t victim_id;
	int ret;

	mode = (enum kernel_mode)(_i / TREE_ATTACKS);
	if (!ready())
		return;
	snprintf(path, sizeof(path), "unpin-%d", _i);
	fresh_dir(b, sizeof(b), bpf_top, path);
	fresh_dir(t, sizeof(t), tmp_top, path);
	snprintf(tree, sizeof(tree), "%s/hello", b);
	snprintf(victim, sizeof(victim), "%s/victim", b);
	snprintf(outside, sizeof(outside), "%s/outside", t);
	ck_assert_int_eq(mkdir(outside, 0700), 0);
	snprintf(path, sizeof(path), "%s/a", outside);
	write_sentinel(path);
	pin_hello(b, "hello");
	pin_hello(b, "victim");
	snprintf(path, sizeof(path), "%s/maps/exec_count", victim);
	victim_id = pinned_id(path);
	ck_assert_uint_ne(victim_id, 0);
	target = tree;

	switch (attack) {
	case TREE_IS_SYMLINK:
		snprintf(path, sizeof(path), "%s/link", b);
		ck_assert_int_eq(symlink(tree, path), 0);
		target = path;
		break;
	case MAPS_SYMLINK_TMP:
	case MAPS_SYMLINK_BPFFS:
		remove_kind_dir(tree, "maps");
		snprintf(path, sizeof(path), "%s/maps", tree);
		snprintf(p2, sizeof(p2), "%s/maps", victim);
		ck_assert_int_eq(symlink(attack == MAPS_SYMLINK_TMP ? outside : p2, path), 0);
		skip = "maps";
		break;
	case PIN_SYMLINK:
		snprintf(path, sizeof(path), "%s/maps/exec_count", tree);
		ck_assert_int_eq(unlink(path), 0);
		snprintf(p2, sizeof(p2), "%s/maps/exec_count", victim);
		ck_assert_int_eq(symlink(p2, path), 0);
		skip = "maps";
		break;
	case EXTRA_DIR:
		snprintf(path, sizeof(path), "%s/extra", tree);
		ck_assert_int_eq(mkdir(path, 0700), 0);
		break;
	case STRAY_PIN:
		snprintf(p2, sizeof(p2), "%s/maps/exec_count", victim);
		snprintf(path, sizeof(path), "%s/stray", tree);
		pin_again(p2, path);
		break;
	case NESTED_DIR:
		snprintf(path, sizeof(path), "%s/maps/sub", tree);
		ck_assert_int_eq(mkdir(path, 0700), 0);
		snprintf(p2, sizeof(p2), "%s/maps/exec_count", victim);
		snprintf(path, sizeof(path), "%s/maps/sub/pin", tree);
		pin_again(p2, path);
		break;
	case TMPFS_MOUNTED:
	case BIND_TMP:
	case BIND_BPFFS:
		snprintf(path, sizeof(path), "%s/links", tree);
		snprintf(p2, sizeof(p2), "%s/maps", victim);
		if (attack == TMPFS_MOUNTED)
			ck_assert_int_eq(mount("tmpfs", path, "tmpfs", 0, "size=64k"), 0);
		else
			ck_assert_int_eq(mount(attack == BIND_TMP ? outside : p2, path, "none", MS_BIND,
					       NULL), 0);
		if (attack == TMPFS_MOUNTED) {
			snprintf(p2, sizeof(p2), "%s/links/a", tree);
			write_sentinel(p2);
		}
		break;
	case PROG_IN_MAPS:
	case MAP_IN_PROGRAMS:
		if (attack == PROG_IN_MAPS) {
			snprintf(path, sizeof(path), "%s/programs/handle_exec", tree);
			snprintf(p2, sizeof(p2), "%s/maps/handle_exec", tree);
		} else {
			snprintf(path, sizeof(path), "%s/maps/exec_count", tree);
			snprintf(p2, sizeof(p2), "%s/programs/exec_count", tree);
		}
		ck_assert_int_eq(rename(path, p2), 0);
		skip = "maps programs";
		break;
	case NOT_BPFFS:
		snprintf(tree, sizeof(tree), "%s/hello", t);
		ck_assert_int_eq(mkdir(tree, 0700), 0);
		snprintf(path, sizeof(path), "%s/maps", tree);
		ck_assert_int_eq(mkdir(path, 0700), 0);
		snprintf(path, sizeof(path), "%s/maps/exec_count", tree);
		write_sentinel(path);
		target = tree;
		skip = "maps programs";
		break;
	case TREE_ATTACKS:
		break;
	}

	ret = bel_unpin(target, err, sizeof(err));
	ck_assert_msg(ret < 0, "%s (%s): unpin of a hostile tree succeeded", attack_names[attack],
		      mode_names[mode]);
	ck_assert_msg(err[0], "%s: no message", attack_names[attack]);
	/* nothing outside the tree was touched */
	snprintf(path, sizeof(path), "%s/a", outside);
	check_sentinel(path);
	check_hello_tree(victim, NULL);
	snprintf(path, sizeof(path), "%s/maps/exec_count", victim);
	ck_assert_uint_eq(pinned_id(path), victim_id);
	if (attack == TMPFS_MOUNTED) {
		snprintf(path, sizeof(path), "%s/links/a", tree);
		check_sentinel(path);
	}
	if (attack == NOT_BPFFS) {
		snprintf(path, sizeof(path), "%s/maps/exec_count", tree);
		check_sentinel(path);
	} else {
		/* and the tree is whole, under its name */
		check_hello_tree(tree, skip);
	}
	check_no_leftovers(b);
	check_no_leftovers(t);
	if (attack == TMPFS_MOUNTED || attack == BIND_TMP || attack == BIND_BPFFS) {
		snprintf(path, sizeof(path), "%s/links", tree);
		ck_assert_int_eq(umount2(path, MNT_DETACH), 0);
	}
}
END_TEST

/* finding: a failed unpin left the tree half removed under bel-unpin-PID-N. Now the N-th
 * removal fails for every N: the tree is back under its name, every pin the same object. */
START_TEST(test_unpin_all_or_nothing)
{
	char b[512], tree[1024], path[4096], err[1024];
	uint32_t ids[6];
	long n;
	unsigned int i;
	int ret = -1;

	mode = (enum kernel_mode)_i;
	if (!ready())
		return;
	fresh_dir(b, sizeof(b), bpf_top, mode == KERNEL_NOW ? "undo" : mode == KERNEL_NO_PATH_FD ?
		  "undo-no-path-fd" : "undo-no-openat2");
	pin_hello(b, "hello");
	snprintf(tree, sizeof(tree), "%s/hello", b);
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", tree, i < 4 ? "maps" : "programs",
			 i < 4 ? hello_maps[i] : hello_progs[i - 4]);
		ids[i] = pinned_id(path);
		ck_assert_uint_ne(ids[i], 0);
	}
	for (n = 1; n < 100; n++) {
		unlinkat_calls = 0;
		fail_unlinkat_at = n;
		ret = bel_unpin(tree, err, sizeof(err));
		fail_unlinkat_at = 0;
		if (!ret)
			break;
		ck_assert_msg(strstr(err, "restored") || strstr(err, "put back"),
			      "removal %ld failed: %s", n, err);
		for (i = 0; i < 6; i++) {
			snprintf(path, sizeof(path), "%s/%s/%s", tree, i < 4 ? "maps" : "programs",
				 i < 4 ? hello_maps[i] : hello_progs[i - 4]);
			ck_assert_msg(pinned_id(path) == ids[i], "removal %ld failed: %s not restored",
				      n, path);
		}
		ck_assert(exists_fmt(S_IFDIR, "%s/links", tree));
		check_no_leftovers(b);
	}
	ck_assert_msg(ret == 0 && n > 10, "unpin: %d after %ld injected failures: %s", ret, n - 1, err);
	ck_assert(!exists_fmt(0, "%s", tree));
	check_no_leftovers(b);
}
END_TEST

/* finding: paths over PATH_MAX were cut at 4095 bytes, and what the cut path named was
 * removed. */
START_TEST(test_unpin_long_path)
{
	char b[512], path[8192], err[512];
	size_t len;

	if (!ready())
		return;
	fresh_dir(b, sizeof(b), bpf_top, "long");
	pin_hello(b, "victim");
	/* "B/./././..../victim" of exactly 4095 bytes, then more */
	len = (size_t)snprintf(path, sizeof(path), "%s/", b);
	if ((4095 - len - strlen("victim")) % 2)
		path[len++] = '/';
	while (len + strlen("victim") < 4095) {
		memcpy(path + len, "./", 2);
		len += 2;
	}
	len += (size_t)snprintf(path + len, sizeof(path) - len, "victim");
	ck_assert_uint_eq(len, 4095);
	snprintf(path + len, sizeof(path) - len, "/nothing/here");
	ck_assert_int_eq(bel_unpin(path, err, sizeof(err)), -ENAMETOOLONG);
	check_hello_tree(strcat(strcpy(path, b), "/victim"), NULL);
	check_no_leftovers(b);
}
END_TEST

/* ---- adversarial places to pin --------------------------------------------------------- */

enum pin_attack {
	FINAL_IS_SYMLINK,   /* root/hello -> /tmp/.../outside */
	FINAL_IS_EMPTY_DIR, /* root/hello exists, empty: rename(2) would replace it */
	ROOT_SYMLINK_TMP,   /* root -> a /tmp directory */
	ROOT_MISSING_TMP,   /* root does not exist, and would be on /tmp */
	ROOT_TMPFS,         /* a tmpfs mounted on root */
	ROOT_TOO_LONG,      /* over PATH_MAX */
	PIN_ATTACKS,
};

START_TEST(test_pin_refuses_hostile_roots)
{
	enum pin_attack attack = (enum pin_attack)_i;
	char b[512], t[512], root[8192], outside[1024], path[8192];
	struct bel_object *obj;
	int ret;

	if (!ready())
		return;
	snprintf(path, sizeof(path), "pin-%d", _i);
	fresh_dir(b, sizeof(b), bpf_top, path);
	fresh_dir(t, sizeof(t), tmp_top, path);
	snprintf(outside, sizeof(outside), "%s/outside", t);
	ck_assert_int_eq(mkdir(outside, 0700), 0);
	snprintf(path, sizeof(path), "%s/a", outside);
	write_sentinel(path);
	snprintf(root, sizeof(root), "%s", b);
	switch (attack) {
	case FINAL_IS_SYMLINK:
		snprintf(path, sizeof(path), "%s/hello", b);
		ck_assert_int_eq(symlink(outside, path), 0);
		break;
	case FINAL_IS_EMPTY_DIR:
		snprintf(path, sizeof(path), "%s/hello", b);
		ck_assert_int_eq(mkdir(path, 0700), 0);
		break;
	case ROOT_SYMLINK_TMP:
		snprintf(root, sizeof(root), "%s/root", b);
		ck_assert_int_eq(symlink(outside, root), 0);
		break;
	case ROOT_MISSING_TMP:
		snprintf(root, sizeof(root), "%s/missing/deeper", t);
		break;
	case ROOT_TMPFS:
		snprintf(root, sizeof(root), "%s/mnt", b);
		ck_assert_int_eq(mkdir(root, 0700), 0);
		ck_assert_int_eq(mount("tmpfs", root, "tmpfs", 0, "size=64k"), 0);
		break;
	case ROOT_TOO_LONG:
		snprintf(root, sizeof(root), "%s/", b);
		while (strlen(root) < 4200)
			strcat(root, "./");
		strcat(root, ".");
		break;
	case PIN_ATTACKS:
		break;
	}
	obj = open_named("hello", NULL, NULL);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ret = bel_object_pin(obj, root);
	ck_assert_msg(ret < 0, "pin attack %d succeeded", attack);
	ck_assert_msg(bel_object_last_error(obj)[0], "no message");
	if (attack == ROOT_SYMLINK_TMP || attack == ROOT_MISSING_TMP || attack == ROOT_TMPFS)
		ck_assert_msg(strstr(bel_object_last_error(obj), "bpffs"), "%s",
			      bel_object_last_error(obj));
	bel_object_close(obj);
	/* nothing made outside, the sentinel and what was in the way as they were */
	snprintf(path, sizeof(path), "%s/a", outside);
	check_sentinel(path);
	ck_assert(!exists_fmt(0, "%s/maps", outside));
	ck_assert(!exists_fmt(0, "%s/hello", outside));
	ck_assert(!exists_fmt(0, "%s/missing", t));
	if (attack == FINAL_IS_SYMLINK)
		ck_assert(exists_fmt(S_IFLNK, "%s/hello", b));
	if (attack == FINAL_IS_EMPTY_DIR)
		ck_assert(exists_fmt(S_IFDIR, "%s/hello", b) && !exists_fmt(0, "%s/hello/maps", b));
	check_no_leftovers(b);
	if (attack == ROOT_TMPFS) {
		check_no_leftovers(root);
		ck_assert_int_eq(umount2(root, MNT_DETACH), 0);
	}
}
END_TEST

/* A pin root that does not exist yet is made, on bpffs. */
START_TEST(test_pin_makes_missing_root)
{
	char b[512], root[1024], path[4096], err[512];
	struct bel_object *obj;

	if (!ready())
		return;
	fresh_dir(b, sizeof(b), bpf_top, "mkroot");
	snprintf(root, sizeof(root), "%s/a/b/c", b);
	obj = open_named("hello", NULL, NULL);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	ck_assert_msg(bel_object_pin(obj, root) == 0, "%s", bel_object_last_error(obj));
	bel_object_close(obj);
	snprintf(path, sizeof(path), "%s/hello", root);
	check_hello_tree(path, NULL);
	ck_assert_int_eq(bel_unpin(path, err, sizeof(err)), 0);
}
END_TEST

/* ---- names that become paths ------------------------------------------------------------- */

#define PBN_MARKER "pin_by_name_marker_xxxxxxxxxx"
#define PRIVATE_MARKER "private_marker_aaaaaa"
#define PROG_MARKER "prog_marker_qqqqqqqqqq"

/* finding: a pin-by-name name with '/' bound the object to another object's private map. */
START_TEST(test_pin_by_name_cannot_reach_other_trees)
{
	char b[512], root[1024], vroot[1024], path[4096];
	struct bel_object *victim, *attacker;
	uint32_t victim_id;
	size_t size;
	void *img;
	int ret;

	if (!ready())
		return;
	fresh_dir(b, sizeof(b), bpf_top, "pbn-reach");
	snprintf(root, sizeof(root), "%s/root", b);
	snprintf(vroot, sizeof(vroot), "%s/vroot", b);
	ck_assert_int_eq(mkdir(root, 0700), 0);
	ck_assert_int_eq(mkdir(vroot, 0700), 0);
	/* the victim's tree: root/vv/maps/private_marker_aaaaaa */
	victim = open_named("hostile_names", "vv", vroot);
	ck_assert_int_eq(bel_program_load(bel_object_find_program(victim, "use_maps")), 0);
	ck_assert_msg(bel_object_pin(victim, root) == 0, "%s", bel_object_last_error(victim));
	snprintf(path, sizeof(path), "%s/vv/maps/%s", root, PRIVATE_MARKER);
	victim_id = pinned_id(path);
	ck_assert_uint_ne(victim_id, 0);
	/* the attacker's map pinned by the name "vv/maps/private_marker_aaaaaa" */
	img = patched_fixture("hostile_names", PBN_MARKER, "vv/maps/" PRIVATE_MARKER, &size);
	attacker = open_image(img, size, "attacker", root);
	ret = bel_program_load(bel_object_find_program(attacker, "use_maps"));
	ck_assert_msg(ret == -EINVAL, "load with a '/' name: %d (%s)", ret,
		      bel_object_last_error(attacker));
	ck_assert_msg(strstr(bel_object_last_error(attacker), "vv/maps/" PRIVATE_MARKER) &&
		      strstr(bel_object_last_error(attacker), "'/'"), "%s",
		      bel_object_last_error(attacker));
	bel_object_close(attacker);
	bel_object_close(victim);
	free(img);
	ck_assert_uint_eq(pinned_id(path), victim_id);
}
END_TEST

/* finding: "../" in a pin-by-name name (BTF map or iproute2's PIN_GLOBAL_NS) made pins
 * outside the pin root. */
START_TEST(test_pin_by_name_cannot_escape)
{
	static const struct {
		const char *fixture, *from, *to, *program;
	} cases[] = {
		/* the kernel's map name is the first 15 bytes: those must be valid for it */
		{"hostile_names", PBN_MARKER, "aaaaaaaaaaaaaaa/../../escaped", "use_maps"},
		{"hostile_names", PBN_MARKER, "..", "use_maps"},
		{"iproute2_legacy", "shared_counts", "..", "tc_count"},
	};
	char b[512], root[1024], path[4096];
	struct bel_object *obj;
	size_t size;
	void *img;
	int ret;

	if (!ready())
		return;
	fresh_dir(b, sizeof(b), bpf_top, "pbn-escape");
	snprintf(root, sizeof(root), "%s/root", b);
	ck_assert_int_eq(mkdir(root, 0700), 0);
	snprintf(path, sizeof(path), "%s/aaaaaaaaaaaaaaa", root); /* someone's directory */
	ck_assert_int_eq(mkdir(path, 0700), 0);
	img = patched_fixture(cases[_i].fixture, cases[_i].from, cases[_i].to, &size);
	obj = open_image(img, size, "escape", root);
	ret = bel_program_load(bel_object_find_program(obj, cases[_i].program));
	ck_assert_msg(ret == -EINVAL, "load: %d (%s)", ret, bel_object_last_error(obj));
	ck_assert_msg(strstr(bel_object_last_error(obj), "one path component"), "%s",
		      bel_object_last_error(obj));
	bel_object_close(obj);
	free(img);
	snprintf(path, sizeof(path), "ls -A %s %s", b, root);
	{
		char out[4096];

		ck_assert_int_eq(run_capture(path, out, sizeof(out)), 0);
		ck_assert_msg(!strstr(out, "escaped") && !strstr(out, "shared_cnt"), "%s", out);
	}
	ck_assert(exists_fmt(S_IFDIR, "%s", root));
}
END_TEST

/* A pin-by-name path that is a symbolic link, a program or a directory is not a map to share. */
START_TEST(test_pin_by_name_refuses_what_is_there)
{
	char b[512], root[1024], other[1024], path[4096], p2[4096];
	struct bel_object *obj, *o2;
	int ret;

	if (!ready())
		return;
	fresh_dir(b, sizeof(b), bpf_top, "pbn-there");
	snprintf(root, sizeof(root), "%s/root", b);
	snprintf(other, sizeof(other), "%s/other", b);
	ck_assert_int_eq(mkdir(root, 0700), 0);
	ck_assert_int_eq(mkdir(other, 0700), 0);
	/* a compatible map pinned elsewhere, and a symlink to it where the name is looked up */
	o2 = open_named("pinned", NULL, other);
	ck_assert_int_eq(bel_object_load(o2, NULL), 0);
	snprintf(path, sizeof(path), "%s/shared_counts", root);
	snprintf(p2, sizeof(p2), "%s/shared_counts", other);
	ck_assert_int_eq(symlink(p2, path), 0);
	obj = open_named("pinned", NULL, root);
	ret = bel_object_load(obj, NULL);
	ck_assert_msg(ret < 0, "followed the symlink to %s", p2);
	ck_assert_msg(strstr(bel_object_last_error(obj), "symbolic link"), "%s",
		      bel_object_last_error(obj));
	bel_object_close(obj);
	ck_assert_int_eq(unlink(path), 0);
	/* a program where the map should be */
	ck_assert_int_eq(bel_program_load(bel_object_find_program(o2, "count_private")), 0);
	ck_assert_msg(bel_object_pin(o2, other) == 0, "%s", bel_object_last_error(o2));
	snprintf(p2, sizeof(p2), "%s/pinned/programs/count_private", other);
	pin_again(p2, path);
	obj = open_named("pinned", NULL, root);
	ret = bel_object_load(obj, NULL);
	ck_assert_msg(ret < 0 && strstr(bel_object_last_error(obj), "is a program, not a map") &&
		      !strstr(bel_object_last_error(obj), "key_size"), "%d: %s", ret,
		      bel_object_last_error(obj));
	bel_object_close(obj);
	ck_assert_int_eq(unlink(path), 0);
	/* a directory */
	ck_assert_int_eq(mkdir(path, 0700), 0);
	obj = open_named("pinned", NULL, root);
	ck_assert_int_lt(bel_object_load(obj, NULL), 0);
	bel_object_close(obj);
	bel_object_close(o2);
}
END_TEST

/* bel_object_pin_check: every name the object could pin, before anything is loaded. */
START_TEST(test_pin_check_before_load)
{
	static const char *const bad[] = {"", "a/b", "..", "x\x01y"};
	struct bel_object *obj;
	unsigned int i;
	size_t size;
	void *img;

	obj = open_named("hostile_names", NULL, NULL);
	ck_assert_int_eq(bel_object_pin_check(obj), 0);
	bel_object_close(obj);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		img = patched_fixture("hostile_names", PROG_MARKER, bad[i], &size);
		obj = open_image(img, size, "names", NULL);
		ck_assert_int_eq(bel_object_pin_check(obj), -EINVAL);
		ck_assert_msg(strstr(bel_object_last_error(obj), "object 'names': pin: cannot pin "
				     "program") && strstr(bel_object_last_error(obj), "one path component"),
			      "%s", bel_object_last_error(obj));
		ck_assert_ptr_null(strchr(bel_object_last_error(obj), '\x01'));
		bel_object_close(obj);
		free(img);
	}
	/* the object's own name, and two names that escape alike */
	obj = open_named("hello", "a/b", NULL);
	ck_assert_int_eq(bel_object_pin_check(obj), -EINVAL);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "the object's name"));
	bel_object_close(obj);
	obj = open_named("pin_collision", NULL, NULL);
	ck_assert_int_eq(bel_object_pin_check(obj), -EEXIST);
	ck_assert_ptr_nonnull(strstr(bel_object_last_error(obj), "would both be pinned as '_bss'"));
	bel_object_close(obj);
}
END_TEST

/* finding: a pinned program given where a map is expected was read as a map ("key_size" of
 * garbage). */
START_TEST(test_reuse_pinned_program_as_map)
{
	char b[512], path[4096], out[8192];
	struct bel_object *obj;
	const char *argv[8];
	char arg[4200];

	if (!ready())
		return;
	fresh_dir(b, sizeof(b), bpf_top, "reuse-kind");
	pin_hello(b, "hello");
	snprintf(path, sizeof(path), "%s/hello/programs/handle_exec", b);
	obj = open_named("hello", "other", NULL);
	ck_assert_int_eq(bel_map_reuse_pinned(bel_object_find_map(obj, "exec_count"), path), -EINVAL);
	ck_assert_msg(strstr(bel_object_last_error(obj), "is a program, not a map") &&
		      !strstr(bel_object_last_error(obj), "key_size"), "%s",
		      bel_object_last_error(obj));
	bel_object_close(obj);
	snprintf(arg, sizeof(arg), "exec_count=%s", path);
	argv[0] = BEL_CLI, argv[1] = "load", argv[2] = fixture_path("hello"), argv[3] = "--name";
	argv[4] = "other", argv[5] = "--map", argv[6] = arg, argv[7] = NULL;
	ck_assert_int_eq(run_argv(argv, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "is a program, not a map") && !strstr(out, "key_size"), "%s", out);
}
END_TEST

/* finding: the "_N" suffix of the links of a 255-byte program name overran its buffer. */
#define NAME_255 "link_name_255_"
#define NAME_250 "link_name_250_"

static struct bel_program *find_prefixed(struct bel_object *obj, const char *prefix)
{
	unsigned int i;

	for (i = 0; i < bel_object_program_count(obj); i++)
		if (!strncmp(bel_program_name(bel_object_program(obj, i)), prefix, strlen(prefix)))
			return bel_object_program(obj, i);
	ck_abort_msg("no program %s...", prefix);
	return NULL;
}

/* 16 links of one program: a tracepoint takes a program once, so 16 tracepoints. */
static void attach_16(struct bel_object *obj, struct bel_program *p)
{
	static const char *const calls[] = {
		"getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "gettid", "getpgrp",
		"getpgid", "getsid", "getcwd", "getrandom", "getpriority", "sched_yield", "umask",
		"sysinfo",
	};
	struct bel_attach_opts opts = {.sz = sizeof(opts)};
	char target[64];
	unsigned int i;

	for (i = 0; i < 16; i++) {
		snprintf(target, sizeof(target), "syscalls/sys_enter_%s", calls[i]);
		opts.target = target;
		ck_assert_msg(bel_program_attach(p, &opts) >= 0, "%s", bel_object_last_error(obj));
	}
}

START_TEST(test_link_pin_names_fit)
{
	char b[512], path[4096], err[512];
	struct bel_object *obj;
	struct bel_program *p;

	if (!ready())
		return;
	ck_assert_msg(tracefs_ready(), "tracefs is not mounted and cannot be");
	fresh_dir(b, sizeof(b), bpf_top, "links");
	/* 255 bytes: the second link's pin "<name>_1" would be 257 */
	obj = open_named("hostile_names", NULL, b);
	p = find_prefixed(obj, NAME_255);
	ck_assert_uint_eq(strlen(bel_program_name(p)), 255);
	ck_assert_int_eq(bel_program_load(p), 0);
	attach_16(obj, p);
	ck_assert_int_eq(bel_object_pin(obj, b), -ENAMETOOLONG);
	ck_assert_msg(strstr(bel_object_last_error(obj), "NAME_MAX"), "%s", bel_object_last_error(obj));
	bel_object_close(obj);
	ck_assert(!exists_fmt(0, "%s/hostile_names", b));
	check_no_leftovers(b);
	/* 250 bytes: "_15" fits */
	obj = open_named("hostile_names", NULL, b);
	p = find_prefixed(obj, NAME_250);
	ck_assert_int_eq(bel_program_load(p), 0);
	attach_16(obj, p);
	ck_assert_msg(bel_object_pin(obj, b) == 0, "%s", bel_object_last_error(obj));
	ck_assert(exists_fmt(S_IFREG, "%s/hostile_names/links/%s_15", b, bel_program_name(p)));
	bel_object_close(obj);
	snprintf(path, sizeof(path), "%s/hostile_names", b);
	ck_assert_msg(bel_unpin(path, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

/* finding: "tracepoint/../../../../tmp/x/tp" read /tmp/x/tp/id and attached to that id. */
START_TEST(test_tracepoint_stays_in_tracefs)
{
	char t[512], dir[1024], path[4096], target[4096], id[64];
	struct bel_attach_opts opts = {.sz = sizeof(opts), .target = target};
	struct bel_object *obj;
	struct bel_program *p;
	FILE *f;
	int ret;

	if (!ready())
		return;
	ck_assert_msg(tracefs_ready(), "tracefs is not mounted and cannot be");
	fresh_dir(t, sizeof(t), tmp_top, "tp");
	/* a real tracepoint's id, in a file outside tracefs */
	f = fopen("/sys/kernel/tracing/events/sched/sched_process_exec/id", "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(id, sizeof(id), f));
	fclose(f);
	snprintf(dir, sizeof(dir), "%s/x", t);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(dir, sizeof(dir), "%s/x/tp", t);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/id", dir);
	write_file(path, id, strlen(id));
	obj = open_named("hello", NULL, NULL);
	p = bel_object_find_program(obj, "handle_exec");
	ck_assert_int_eq(bel_program_load(p), 0);
	snprintf(target, sizeof(target), "../../../..%s", dir);
	ret = bel_program_attach(p, &opts);
	ck_assert_msg(ret == -EINVAL, "attached through %s: %d %s", target, ret,
		      bel_object_last_error(obj));
	ck_assert_msg(strstr(bel_object_last_error(obj), ".."), "%s", bel_object_last_error(obj));
	ck_assert_uint_eq(bel_program_link_count(p), 0);
	/* each half of category/name is one component */
	snprintf(target, sizeof(target), "sched/../sched/sched_process_exec");
	ck_assert_int_eq(bel_program_attach(p, &opts), -EINVAL);
	snprintf(target, sizeof(target), "sched/sched_process_exec");
	ck_assert_int_ge(bel_program_attach(p, &opts), 0);
	bel_object_close(obj);
}
END_TEST

/* ---- object files that are not regular files, or change under bel ------------------------ */

static void on_alarm(int sig)
{
	(void)sig;
	_exit(99);
}

/* finding: a FIFO given as OBJ blocked forever (open blocks before fstat). */
START_TEST(test_open_refuses_non_regular_files)
{
	const char *paths[3];
	char t[512], fifo[1024];
	struct bel_object *obj;
	unsigned int i;

	if (!ready())
		return;
	fresh_dir(t, sizeof(t), tmp_top, "fifo");
	snprintf(fifo, sizeof(fifo), "%s/obj.o", t);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	paths[0] = fifo, paths[1] = "/dev/null", paths[2] = t;
	signal(SIGALRM, on_alarm);
	for (i = 0; i < 3; i++) {
		alarm(5);
		ck_assert_int_lt(bel_object_open_file(paths[i], NULL, &obj), 0);
		alarm(0);
		ck_assert_ptr_null(obj);
		ck_assert_msg(strstr(bel_thread_error(), "not a regular file"), "%s: %s", paths[i],
			      bel_thread_error());
	}
}
END_TEST

/* finding: SIGBUS when the object file was truncated while bel ran (it was mapped). */
START_TEST(test_open_survives_truncation)
{
	char t[512], path[1024];
	struct bel_object *obj;
	unsigned int i, n;
	unsigned long sum = 0;
	uint32_t size;
	const uint8_t *btf;
	const char *s;
	size_t fsize;
	void *img;

	if (!ready())
		return;
	fresh_dir(t, sizeof(t), tmp_top, "truncate");
	snprintf(path, sizeof(path), "%s/hello.bpf.o", t);
	img = read_file(fixture_path("hello"), &fsize);
	write_file(path, img, fsize);
	free(img);
	ck_assert_int_eq(bel_object_open_file(path, NULL, &obj), 0);
	ck_assert_int_eq(truncate(path, 0), 0);
	btf = bel_object_btf(obj, &size);
	for (i = 0; i < size; i++)
		sum += btf[i];
	for (s = bel_object_license(obj); *s; s++)
		sum += (unsigned char)*s;
	for (i = 0; i < bel_object_program_count(obj); i++) {
		struct bel_program *p = bel_object_program(obj, i);

		bel_program_insns(p, &n);
		for (s = bel_program_section(p); *s; s++)
			sum += (unsigned char)*s;
	}
	ck_assert_uint_ne(sum, 0);
	ck_assert_int_eq(bel_object_load(obj, NULL), 0);
	bel_object_close(obj);
}
END_TEST

/* ---- the command line -------------------------------------------------------------------- */

START_TEST(test_cli_threads_strict)
{
	static const char *const bad[] = {"abc", "-1", "1x", "", " 2", "99999999999999999999", "0",
					     "1025", "0x"};
	const char *argv[6] = {BEL_CLI, "load", NULL, "--threads", NULL, NULL};
	char out[8192];
	unsigned int i;

	if (!ready())
		return;
	argv[2] = fixture_path("hello");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv[4] = bad[i];
		ck_assert_msg(run_argv(argv, out, sizeof(out)) == 2, "--threads '%s' accepted: %s",
			      bad[i], out);
		ck_assert_msg(strstr(out, "--threads"), "%s", out);
	}
	argv[4] = "2";
	ck_assert_msg(run_argv(argv, out, sizeof(out)) == 0, "%s", out);
}
END_TEST

/* finding: `--program nope` printed an empty "bel: " line after its message. */
START_TEST(test_cli_unknown_program)
{
	const char *argv[] = {BEL_CLI, "load", fixture_path("hello"), "--program", "nope", NULL};
	char out[8192];

	if (!ready())
		return;
	ck_assert_int_eq(run_argv(argv, out, sizeof(out)), 1);
	ck_assert_msg(strstr(out, "no program 'nope'"), "%s", out);
	ck_assert_msg(!strstr(out, "bel: \n") && out[strlen(out) - 1] == '\n', "[%s]", out);
	ck_assert_msg(!strchr(out, '\n') || strchr(out, '\n') == out + strlen(out) - 1,
		      "more than one line: [%s]", out);
}
END_TEST

/* finding: names that cannot be paths failed late ("File exists" for an empty name). */
START_TEST(test_cli_unpinnable_names)
{
	static const char *const names[] = {"", "a\nb", "../up", "a/b", ".."};
	char b[512], t[512], obj_path[1024], out[8192], to[64];
	const char *argv[] = {BEL_CLI, "load", obj_path, "--pin", b, NULL};
	unsigned int i;
	size_t size;
	void *img;

	if (!ready())
		return;
	fresh_dir(b, sizeof(b), bpf_top, "cli-names");
	fresh_dir(t, sizeof(t), tmp_top, "cli-names");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		img = patched_fixture("hostile_names", PROG_MARKER, names[i], &size);
		snprintf(obj_path, sizeof(obj_path), "%s/names%u.bpf.o", t, i);
		write_file(obj_path, img, size);
		free(img);
		ck_assert_int_eq(run_argv(argv, out, sizeof(out)), 1);
		ck_assert_msg(strstr(out, "name") && !strstr(out, "File exists") &&
			      !strstr(out, "a\nb"), "name '%s': %s", names[i], out);
		/* nothing pinned */
		snprintf(to, sizeof(to), "names%u", i);
		ck_assert(!exists_fmt(0, "%s/%s", b, to));
		check_no_leftovers(b);
	}
}
END_TEST

/* finding: object names of 241-255 bytes could not be pinned (the temporary name was longer);
 * the printed "pinned at DIR/a.b" was not where the tree is (DIR/a_b). */
START_TEST(test_cli_object_names)
{
	char b[512], name[256], out[16384], tree[1024], err[512], want[1024];
	const char *argv[] = {BEL_CLI, "load", fixture_path("hello"), "--name", name, "--pin", b,
			      NULL};

	if (!ready())
		return;
	fresh_dir(b, sizeof(b), bpf_top, "cli-objnames");
	memset(name, 'n', 255);
	name[255] = '\0';
	ck_assert_msg(run_argv(argv, out, sizeof(out)) == 0, "%s", out);
	snprintf(tree, sizeof(tree), "%s/%s", b, name);
	check_hello_tree(tree, NULL);
	ck_assert_int_eq(bel_unpin(tree, err, sizeof(err)), 0);
	snprintf(name, sizeof(name), "a.b");
	ck_assert_msg(run_argv(argv, out, sizeof(out)) == 0, "%s", out);
	snprintf(want, sizeof(want), "pinned at %s/a_b\n", b);
	ck_assert_msg(strstr(out, want), "%s", out);
	snprintf(tree, sizeof(tree), "%s/a_b", b);
	check_hello_tree(tree, NULL);
}
END_TEST

/* Whether s is valid UTF-8 with no control characters. */
static bool clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 :
			(*p & 0xf8) == 0xf0 ? 3 : -1;

		if (n < 0 || (*p < 0x20 && *p != '\n') || *p == 0x7f || (n == 1 && *p < 0xc2))
			return false;
		for (p++; n > 0; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* finding: --json printed raw non-UTF-8 bytes; text output passed newlines through. */
START_TEST(test_cli_output_escaped)
{
	const char *argv[] = {BEL_CLI, "inspect", "--json", "--name", "\xff\xfe\"q\"\n\x01\xc3\xa9",
			      fixture_path("hello"), NULL};
	const char *text_argv[] = {BEL_CLI, "inspect", "--name", "a\nb\x1b[31m",
				   fixture_path("hello"), NULL};
	char out[65536], *nl;

	ck_assert_int_eq(run_argv(argv, out, sizeof(out)), 0);
	ck_assert_msg(clean_utf8(out), "not clean UTF-8: %s", out);
	ck_assert_msg(strstr(out, "\"object\":\"\\ufffd\\ufffd\\\"q\\\"\\n\\u0001\xc3\xa9\""), "%s", out);
	ck_assert_msg(strchr(out, '\n') == out + strlen(out) - 1, "%s", out);
	ck_assert_int_eq(run_argv(text_argv, out, sizeof(out)), 0);
	nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	ck_assert_msg(strstr(out, "object a\\nb\\x1b[31m:"), "%s", out);
	ck_assert(clean_utf8(nl + 1));
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("trees");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_unpin_refuses_hostile_trees, 0, TREE_ATTACKS * KERNEL_MODES);
	tcase_add_loop_test(tc, test_unpin_all_or_nothing, 0, KERNEL_MODES);
	tcase_add_test(tc, test_unpin_long_path);
	tcase_add_loop_test(tc, test_pin_refuses_hostile_roots, 0, PIN_ATTACKS);
	tcase_add_test(tc, test_pin_makes_missing_root);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_pin_by_name_cannot_reach_other_trees);
	tcase_add_loop_test(tc, test_pin_by_name_cannot_escape, 0, 3);
	tcase_add_test(tc, test_pin_by_name_refuses_what_is_there);
	tcase_add_test(tc, test_pin_check_before_load);
	tcase_add_test(tc, test_reuse_pinned_program_as_map);
	tcase_add_test(tc, test_link_pin_names_fit);
	tcase_add_test(tc, test_tracepoint_stays_in_tracefs);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_open_refuses_non_regular_files);
	tcase_add_test(tc, test_open_survives_truncation);
	suite_add_tcase(s, tc);

	tc = tcase_create("cli");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cli_threads_strict);
	tcase_add_test(tc, test_cli_unknown_program);
	tcase_add_test(tc, test_cli_unpinnable_names);
	tcase_add_test(tc, test_cli_object_names);
	tcase_add_test(tc, test_cli_output_escaped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hostile_suite());

	return run_srunner(sr);
}
