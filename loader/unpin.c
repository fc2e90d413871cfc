/* SPDX-License-Identifier: MIT */
/*
 * Unpin: remove a tree made by bel_object_pin, all of it or nothing.
 *
 * The tree is first read whole (pin_tree.c: from directory fds, never following a link or
 * entering another mount, refused unless it is what bel makes), so nothing is touched unless
 * all of it can go. Each pin's fd is kept, so that if a removal fails later the pins already
 * removed can be pinned again: the tree is then put back whole under its name. Removal happens
 * under a temporary name, so nobody opens half a tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_safe.h"
#include "internal.h"
#include "pin_names.h"
#include "pin_tree.h"

/* Whether parent/name is still the directory read (not swapped meanwhile). */
static bool still_ours(const struct ldr_pin_tree *t, const char *name)
{
	struct stat st;

	return !fstatat(t->parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) && st.st_ino == t->st.st_ino &&
	       st.st_dev == t->st.st_dev;
}

static int rename_noreplace(int dir_fd, const char *from, const char *to)
{
	struct stat st;

	if (!renameat2(dir_fd, from, dir_fd, to, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL)
		return -errno;
	if (!fstatat(dir_fd, to, &st, AT_SYMLINK_NOFOLLOW))
		return -EEXIST;
	return renameat(dir_fd, from, dir_fd, to) ? -errno : 0;
}

static int move_aside(struct ldr_pin_tree *t)
{
	static unsigned int counter;
	int tries, ret = -EEXIST;

	for (tries = 0; tries < 100 && ret == -EEXIST; tries++) {
		snprintf(t->tmp, sizeof(t->tmp), "bel-unpin-%d-%u", (int)getpid(),
			 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
		ret = rename_noreplace(t->parent_fd, t->name, t->tmp);
	}
	return ret;
}

/* Pin again what was removed and give the tree its name back. */
static int restore(struct ldr_pin_tree *t, struct bel_err *why)
{
	char dir_path[PATH_MAX];
	size_t k;
	uint32_t i;
	int ret = 0;

	for (k = 0; k < BEL_PIN_KINDS && !ret; k++) {
		struct ldr_tree_dir *dir = &t->dirs[k];

		if (!dir->present)
			continue;
		if ((size_t)snprintf(dir_path, sizeof(dir_path), "%s/%s/%s", t->parent_path, t->tmp,
				     ldr_pin_dirs[k]) >= sizeof(dir_path)) {
			ret = bel_errf(why, ENAMETOOLONG, "%s: path over PATH_MAX", ldr_pin_dirs[k]);
			break;
		}
		if (dir->removed) {
			if (mkdirat(t->fd, ldr_pin_dirs[k], 0700)) {
				ret = bel_errf(why, errno, "cannot make %s again: %s", dir_path,
					       strerror(errno));
				break;
			}
			close(dir->fd);
			dir->fd = ldr_open_beneath(t->fd, ldr_pin_dirs[k], O_PATH | O_DIRECTORY);
			if (dir->fd < 0) {
				ret = bel_errf(why, -dir->fd, "cannot open %s again: %s", dir_path,
					       strerror(-dir->fd));
				break;
			}
			dir->removed = false;
		}
		for (i = 0; i < dir->count && !ret; i++) {
			if (!dir->pins[i].removed)
				continue;
			ret = ldr_pin_at(dir->pins[i].fd, dir->fd, dir_path, dir->pins[i].name);
			if (ret)
				bel_errf(why, -ret, "cannot pin %s/%s again: %s", dir_path,
					 dir->pins[i].name, strerror(-ret));
			else
				dir->pins[i].removed = false;
		}
	}
	if (!ret) {
		ret = rename_noreplace(t->parent_fd, t->tmp, t->name);
		if (ret)
			bel_errf(why, -ret, "cannot give it its name back: %s", strerror(-ret));
	}
	return ret;
}

/*
 * A struct_ops map registered by its update (not through a link) stays registered, and alive,
 * with no pin left to reach it: as removing a pinned link detaches its program, removing the
 * tree unregisters it (a map that is not registered refuses the delete, which is fine).
 */
static void unregister_struct_ops(const struct ldr_pin_tree *t)
{
	const struct ldr_tree_dir *dir = &t->dirs[BEL_PIN_MAPS];
	uint32_t i, zero = 0;

	for (i = 0; dir->present && i < dir->count; i++) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bel_sys_obj_get_info_by_fd(dir->pins[i].fd, &info, &len) &&
		    info.type == BPF_MAP_TYPE_STRUCT_OPS)
			bel_sys_map_delete_elem(dir->pins[i].fd, &zero);
	}
}

/* Remove the tree, now under t->tmp; on a failure put everything back. */
static int remove_tree(struct ldr_pin_tree *t, const char *path, struct bel_err *err)
{
	char first[BEL_ERR_MSG_MAX];
	struct bel_err why = {0};
	const char *what = NULL;
	size_t k;
	uint32_t i;
	int ret = 0;

	for (k = 0; k < BEL_PIN_KINDS && !ret; k++) {
		struct ldr_tree_dir *dir = &t->dirs[k];

		if (!dir->present)
			continue;
		for (i = 0; i < dir->count && !ret; i++) {
			if (unlinkat(dir->fd, dir->pins[i].name, 0)) {
				ret = -errno;
				what = dir->pins[i].name;
				break;
			}
			dir->pins[i].removed = true;
		}
		if (!ret && unlinkat(t->fd, ldr_pin_dirs[k], AT_REMOVEDIR))
			ret = -errno;
		else if (!ret)
			dir->removed = true;
		if (ret) {
			bel_errf(err, -ret, "cannot remove %s/%s%s%s: %s", path, ldr_pin_dirs[k], what ? "/" : "",
				 what ? what : "", strerror(-ret));
			break;
		}
	}
	if (!ret && !still_ours(t, t->tmp))
		ret = bel_errf(err, ESTALE, "%s changed while being removed", path);
	else if (!ret && unlinkat(t->parent_fd, t->tmp, AT_REMOVEDIR))
		ret = bel_errf(err, errno, "cannot remove %s: %s", path, strerror(errno));
	if (!ret) {
		unregister_struct_ops(t);
		return 0;
	}
	memcpy(first, err->msg, sizeof(first));
	if (restore(t, &why))
		return bel_errf(err, -ret, "%s; and putting it back failed (%s): what is left is at "
				"%s/%s", first, why.msg, t->parent_path, t->tmp);
	return bel_errf(err, -ret, "%s; the tree is restored, every pin in place", first);
}

static int unpin(const char *path, struct bel_err *err)
{
	struct ldr_pin_tree t;
	int ret;

	ldr_pin_tree_init(&t);
	ret = ldr_pin_tree_locate(&t, path, err);
	if (!ret)
		ret = ldr_pin_tree_read(&t, t.shown, err);
	if (!ret) {
		/* out of sight first, so nobody opens half of it */
		ret = move_aside(&t);
		if (ret)
			bel_errf(err, -ret, "cannot move %s aside: %s", t.shown, strerror(-ret));
	}
	if (!ret && !still_ours(&t, t.tmp)) {
		rename_noreplace(t.parent_fd, t.tmp, t.name);
		ret = bel_errf(err, ESTALE, "%s changed while being read", t.shown);
	}
	if (!ret)
		ret = remove_tree(&t, t.shown, err);
	ldr_pin_tree_free(&t);
	return ret;
}

int bel_unpin(const char *path, char *errbuf, size_t errbuf_size)
{
	struct bel_err err = {0};
	int ret;

	if (!path)
		ret = bel_errf(&err, EINVAL, "no path given");
	else
		ret = unpin(path, &err);
	if (errbuf && errbuf_size)
		snprintf(errbuf, errbuf_size, "%s", ret ? err.msg : "");
	if (ret)
		ldr_thread_fail(&err);
	return ret;
}

/* Remove a tree this process has just made and not published (a failed pin). */
void ldr_tree_discard(int parent_fd, const char *name)
{
	int fd = ldr_open_beneath(parent_fd, name, O_RDONLY | O_DIRECTORY);
	size_t k;

	if (fd < 0)
		return;
	for (k = 0; k < BEL_PIN_KINDS; k++) {
		int kfd = ldr_open_beneath(fd, ldr_pin_dirs[k], O_RDONLY | O_DIRECTORY);
		struct dirent *de;
		DIR *d;

		if (kfd < 0)
			continue;
		d = fdopendir(kfd);
		if (!d) {
			close(kfd);
			continue;
		}
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
		unlinkat(fd, ldr_pin_dirs[k], AT_REMOVEDIR);
	}
	close(fd);
	unlinkat(parent_fd, name, AT_REMOVEDIR);
}
