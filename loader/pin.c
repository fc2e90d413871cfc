/* SPDX-License-Identifier: MIT */
/*
 * Pins: root/<object>/{maps,programs,links}/<name>. Every name passes ldr_name_check (one path
 * component, see pin_names.h) and bpffs refuses '.', so each '.' becomes '_' (".rodata" ->
 * "_rodata"); two names that escape alike are refused rather than silently sharing a pin.
 *
 * The tree is built under a short temporary name in root ("bel-tmp-PID-N", whatever the
 * object's name) and renamed into place without replacing anything, so a reader sees all of it
 * or none of it. Every step goes from a directory fd (mkdirat, pins relative to the directory
 * with BPF_F_PATH_FD where the kernel has it), so a directory swapped for a link meanwhile
 * cannot send a pin elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kcmp.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_safe.h"
#include "internal.h"
#include "pin_names.h"
#include "pin_tree.h"
#include "uprobe.h"

static const char *const kinds[] = {"maps", "programs", "links"};
static const char *const what[] = {"map", "program", "link"};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* One pin of a directory of the tree: its name on bpffs, the name it was given, its fd. */
struct pin_entry {
	char *name;
	const char *orig;
	int fd;
	uint32_t pos;
};

struct pin_set {
	uint32_t count, cap;
	struct pin_entry *e;
};

static void pin_set_free(struct pin_set *set)
{
	uint32_t i;

	for (i = 0; i < set->count; i++)
		free(set->e[i].name);
	free(set->e);
	memset(set, 0, sizeof(*set));
}

/* Add orig (with "_<link>" for a program's second and later links) after checking the name. */
static int pin_set_add(struct pin_set *set, size_t kind, const char *orig, uint32_t link, int fd,
		       struct bel_err *err)
{
	char suffix[16] = "";
	size_t len;
	int ret;

	if (link)
		snprintf(suffix, sizeof(suffix), "_%u", link);
	ret = ldr_name_check(orig, strlen(suffix), err);
	if (ret)
		return bel_err_prefix(err, "cannot pin %s", what[kind]);
	if (set->count == set->cap) {
		uint32_t cap = set->cap ? set->cap * 2 : 16;
		struct pin_entry *grown = cap > set->cap ? realloc(set->e, cap * sizeof(*grown)) : NULL;

		if (!grown)
			return bel_errf(err, ENOMEM, "out of memory");
		set->e = grown;
		set->cap = cap;
	}
	len = strlen(orig);
	set->e[set->count].name = malloc(len + strlen(suffix) + 1);
	if (!set->e[set->count].name)
		return bel_errf(err, ENOMEM, "out of memory");
	bel_pin_name(orig, set->e[set->count].name, len + 1);
	memcpy(set->e[set->count].name + len, suffix, strlen(suffix) + 1);
	set->e[set->count].orig = orig;
	set->e[set->count].fd = fd;
	set->e[set->count].pos = set->count;
	set->count++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct pin_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Sorted by name, two equal names are neighbours: O(n log n) for objects of many maps. */
static int check_unique(struct pin_set *set, size_t kind, struct bel_err *err)
{
	uint32_t i;

	if (set->count > 1)
		qsort(set->e, set->count, sizeof(*set->e), by_name);
	for (i = 1; i < set->count; i++)
		if (!strcmp(set->e[i - 1].name, set->e[i].name))
			return bel_errf(err, EEXIST, "%s '%s' and '%s' would both be pinned as '%s'",
					kinds[kind], set->e[i - 1].orig, set->e[i].orig, set->e[i].name);
	return 0;
}

/*
 * The pins of one directory: loaded maps, loaded programs, or links ("<prog>", then
 * "<prog>_1", ...). With every_name, what the object could pin (each map and program, loaded
 * or not), to check names before anything is loaded.
 */
static int collect(struct bel_object *obj, size_t kind, bool every_name, struct pin_set *set,
		   struct bel_err *err)
{
	const struct bel_spec *spec = obj->spec;
	uint32_t i, l;
	int ret = 0;

	for (i = 0; kind == 0 && i < spec->nmaps && !ret; i++)
		if (every_name || bel_map_fd(&obj->maps[i]) >= 0)
			ret = pin_set_add(set, kind, spec->maps[i].name, 0, obj->maps[i].fd, err);
	for (i = 0; kind == 1 && i < spec->nprogs && !ret; i++)
		if (every_name || bel_program_fd(&obj->progs[i]) >= 0)
			ret = pin_set_add(set, kind, spec->progs[i].name, 0, obj->progs[i].fd, err);
	for (i = 0; kind == 2 && !every_name && i < spec->nprogs && !ret; i++)
		for (l = 0; l < obj->progs[i].nlinks && !ret; l++)
			ret = pin_set_add(set, kind, spec->progs[i].name, l, obj->progs[i].links[l], err);
	if (!ret)
		ret = check_unique(set, kind, err);
	return ret;
}

static int check_object_name(const struct bel_object *obj, struct bel_err *err)
{
	int ret = ldr_name_check(obj->spec->obj_name, 0, err);

	return ret ? bel_err_prefix(err, "the object's name (its directory in the pin root)") : 0;
}

int bel_object_pin_check(struct bel_object *obj)
{
	struct bel_err err = {0};
	struct pin_set set = {0};
	size_t k;
	int ret;

	ret = check_object_name(obj, &err);
	for (k = 0; k < 2 && !ret; k++) {
		ret = collect(obj, k, true, &set, &err);
		pin_set_free(&set);
	}
	if (!ret)
		return 0;
	bel_err_prefix(&err, "object '%s': pin", obj->spec->obj_name);
	return ldr_obj_fail(obj, &err);
}

/* Make tmp/<kind>/ and pin set there. tmp_path: tmp's path, for kernels without path_fd. */
static int pin_kind(int tmp_fd, const char *tmp_path, size_t kind, const struct pin_set *set,
		    struct bel_err *err)
{
	char dir_path[PATH_MAX];
	uint32_t i;
	int fd, ret = 0;

	if ((size_t)snprintf(dir_path, sizeof(dir_path), "%s/%s", tmp_path, kinds[kind]) >=
	    sizeof(dir_path))
		return bel_errf(err, ENAMETOOLONG, "%s/%s is over PATH_MAX", tmp_path, kinds[kind]);
	if (mkdirat(tmp_fd, kinds[kind], 0700))
		return bel_errf(err, errno, "cannot create %s: %s", dir_path, strerror(errno));
	fd = ldr_open_beneath(tmp_fd, kinds[kind], O_PATH | O_DIRECTORY);
	if (fd < 0)
		return bel_errf(err, -fd, "cannot open %s: %s", dir_path, strerror(-fd));
	for (i = 0; i < set->count && !ret; i++) {
		ret = ldr_pin_at(set->e[i].fd, fd, dir_path, set->e[i].name);
		if (ret)
			bel_errf(err, -ret, "pinning %s '%s' at %s/%s failed: %s", what[kind],
				 set->e[i].orig, dir_path, set->e[i].name, ret == -ESTALE ?
				 "the directory changed while pinning" : strerror(-ret));
	}
	close(fd);
	return ret;
}

/* A fresh temporary directory in root: "bel-tmp-PID-N", short whatever the object's name. */
static int make_tmp(int root_fd, char *tmp, size_t size, struct bel_err *err)
{
	static unsigned int counter;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		snprintf(tmp, size, "bel-tmp-%d-%u", (int)getpid(),
			 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
		if (!mkdirat(root_fd, tmp, 0700))
			return 0;
		if (errno != EEXIST)
			return bel_errf(err, errno, "cannot create a directory in the pin root: %s",
					strerror(errno));
	}
	return bel_errf(err, EEXIST, "cannot create a temporary directory in the pin root: every "
			"name tried exists");
}

/* After an adoption: whether the old tree already holds exactly these pins, each the very
 * object (the same open file: what adoption takes are duplicates of the pins' own fds). An
 * unchanged restart then has nothing to swap. kcmp missing: not known, so rebuilt. */
static bool tree_current(const struct ldr_pin_tree *old, const struct pin_set *sets)
{
	pid_t self = getpid();
	size_t k;
	uint32_t i;

	for (k = 0; k < NKINDS; k++) {
		if (old->dirs[k].count != sets[k].count)
			return false;
		for (i = 0; i < sets[k].count; i++) {
			const struct ldr_tree_pin *pin = ldr_pin_tree_find(old, (int)k, sets[k].e[i].name);

			if (!pin || syscall(SYS_kcmp, self, self, KCMP_FILE, pin->fd, sets[k].e[i].fd))
				return false;
		}
	}
	return true;
}

/* Put the new tree tmp in the old one's place in one step: afterwards tmp names the old tree.
 * Where bpffs cannot exchange (before 3.15 no filesystem could), the old tree is moved aside
 * first, and for a moment there is none. */
static int exchange(int root_fd, const char *tmp, const char *final)
{
	char aside[64];
	int ret;

	if (!renameat2(root_fd, tmp, root_fd, final, RENAME_EXCHANGE))
		return 0;
	if (errno != EINVAL)
		return -errno;
	snprintf(aside, sizeof(aside), "%s-old", tmp);
	if (renameat2(root_fd, final, root_fd, aside, RENAME_NOREPLACE))
		return -errno;
	if (renameat(root_fd, tmp, root_fd, final)) {
		ret = -errno;
		renameat(root_fd, aside, root_fd, final);
		return ret;
	}
	return renameat(root_fd, aside, root_fd, tmp) ? -errno : 0;
}

/* Rename tmp to final in root, never replacing what is there (even an empty directory). */
static int publish(int root_fd, const char *tmp, const char *final)
{
	struct stat st;

	if (!renameat2(root_fd, tmp, root_fd, final, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* a kernel whose bpffs knows no RENAME_NOREPLACE */
	if (!fstatat(root_fd, final, &st, AT_SYMLINK_NOFOLLOW))
		return -EEXIST;
	return renameat(root_fd, tmp, root_fd, final) ? -errno : 0;
}

/* One pinner of a root at a time: an adoption holds the root's lock since it read the tree (*old:
 * that tree, or NULL when there was none); else the lock is taken here, at *lock_fd. */
static int lock_root(struct bel_object *obj, const char *root, const struct ldr_pin_tree **old,
		     int *lock_fd, struct bel_err *err)
{
	*old = NULL;
	if (ldr_obj_adopting(obj, root)) {
		*old = ldr_obj_adopted_tree(obj, root, lock_fd);
		*lock_fd = -1;
		return 0;
	}
	*lock_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*lock_fd < 0 || flock(*lock_fd, LOCK_EX))
		return bel_errf(err, errno, "cannot lock the pin root %s: %s", root, strerror(errno));
	return 0;
}

/* The tree pinned at tmp becomes root/dir_name: exchanged with the old tree (replace), else
 * published where there is none (*have_tmp: tmp is still there, to discard). */
static int put_in_place(int root_fd, const char *root, const char *tmp, const char *dir_name,
			bool replace, bool *have_tmp, struct bel_err *err)
{
	int ret;

	if (replace) {
		ret = exchange(root_fd, tmp, dir_name);
		if (ret)
			bel_errf(err, -ret, "cannot put the new tree in place of %s/%s: %s", root,
				 dir_name, strerror(-ret));
		/* on success tmp is the old tree now: the caller discards it, with the links of
		 * programs the object no longer has */
		return ret;
	}
	ret = publish(root_fd, tmp, dir_name);
	if (ret == -EEXIST || ret == -ENOTEMPTY || ret == -EBUSY)
		bel_errf(err, EEXIST, "%s/%s already exists; unpin it first", root, dir_name);
	else if (ret)
		bel_errf(err, -ret, "cannot move the pins into place at %s/%s: %s", root,
			 dir_name, strerror(-ret));
	if (ret == -ENOTEMPTY || ret == -EBUSY)
		ret = -EEXIST;
	*have_tmp = ret != 0;
	return ret;
}

int bel_object_pin(struct bel_object *obj, const char *root)
{
	char dir_name[BEL_NAME_MAX + 1], tmp[64], tmp_path[PATH_MAX];
	const struct ldr_pin_tree *old;
	struct pin_set sets[NKINDS];
	struct bel_err err = {0};
	unsigned int made = 0;
	int root_fd = -1, tmp_fd = -1, lock_fd = -1, ret;
	bool have_tmp = false, replace = false;
	struct stat st;
	size_t k;

	memset(sets, 0, sizeof(sets));
	ret = check_object_name(obj, &err);
	if (!ret && !root)
		ret = bel_errf(&err, EINVAL, "no pin root given");
	/* every name is checked before anything is made */
	for (k = 0; k < NKINDS && !ret; k++)
		ret = collect(obj, k, false, &sets[k], &err);
	if (ret)
		goto out;
	bel_pin_name(obj->spec->obj_name, dir_name, sizeof(dir_name));
	root_fd = ldr_bpffs_dir(root, true, &made, &err);
	if (root_fd < 0) {
		ret = root_fd;
		bel_err_prefix(&err, "pin root");
		goto out;
	}
	ret = lock_root(obj, root, &old, &lock_fd, &err);
	if (ret)
		goto out;
	replace = old != NULL;
	if (replace && tree_current(old, sets))
		goto out; /* the tree is already this load's, pin for pin */
	if (!replace && !fstatat(root_fd, dir_name, &st, AT_SYMLINK_NOFOLLOW)) {
		ret = bel_errf(&err, EEXIST, "%s/%s already exists; unpin it first (or adopt it)",
			       root, dir_name);
		goto out;
	}
	ret = make_tmp(root_fd, tmp, sizeof(tmp), &err);
	if (ret)
		goto out;
	have_tmp = true;
	if ((size_t)snprintf(tmp_path, sizeof(tmp_path), "%s/%s", root, tmp) >= sizeof(tmp_path)) {
		ret = bel_errf(&err, ENAMETOOLONG, "the pin root's path is too long");
		goto out;
	}
	tmp_fd = ldr_open_beneath(root_fd, tmp, O_PATH | O_DIRECTORY);
	if (tmp_fd < 0) {
		ret = bel_errf(&err, -tmp_fd, "cannot open %s: %s", tmp_path, strerror(-tmp_fd));
		goto out;
	}
	for (k = 0; k < NKINDS && !ret; k++)
		ret = pin_kind(tmp_fd, tmp_path, k, &sets[k], &err);
	if (!ret)
		ret = put_in_place(root_fd, root, tmp, dir_name, replace, &have_tmp, &err);
out:
	if (tmp_fd >= 0)
		close(tmp_fd);
	if (have_tmp || (replace && !ret))
		ldr_tree_discard(root_fd, tmp);
	if (lock_fd >= 0)
		close(lock_fd);
	if (!ret && ldr_obj_adopting(obj, root))
		ldr_obj_adoption_free(obj); /* the old tree's fds, and the lock */
	if (root_fd >= 0)
		close(root_fd);
	for (k = 0; k < NKINDS; k++)
		pin_set_free(&sets[k]);
	if (ret) {
		ldr_bpffs_unmake(root, made);
		bel_err_prefix(&err, "object '%s': pin", obj->spec->obj_name);
		return ldr_obj_fail(obj, &err);
	}
	ldr_usdt_keep_pinned(obj);
	ldr_struct_ops_keep_pinned(obj);
	ldr_obj_msg(obj, BEL_MSG_INFO, "object '%s': pinned at %s/%s", obj->spec->obj_name, root,
		    dir_name);
	return 0;
}
