/* SPDX-License-Identifier: MIT */
/*
 * Unpin: remove a tree made by bel_object_pin, all of it or nothing.
 *
 * The tree may have been changed by anyone who can write it, so it is first read whole, from
 * directory fds, without following a symbolic link or entering another mount: it must be what
 * bel makes (on bpffs, only maps/, programs/ and links/, holding only pins whose names pass
 * bel_name_check, a map under maps/, a program under programs/, a link under links/). Anything
 * else and nothing is touched. Each pin is opened on the way (its fd kept), so that if a
 * removal fails later the pins already removed can be pinned again: the tree is then put back
 * whole under its name. Removal happens under a temporary name, so nobody opens half a tree.
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

static const char *const kinds[] = {"maps", "programs", "links"};
static const enum bel_fd_kind kind_of[] = {BEL_FD_MAP, BEL_FD_PROG, BEL_FD_LINK};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct tree_pin {
	char name[BEL_NAME_MAX + 1];
	int fd;              /* the pinned object, held to pin it again if the unpin is undone */
	bool removed;
};

struct tree_dir {
	bool present, removed;
	int fd;
	struct tree_pin *pins;
	uint32_t count, cap;
};

struct tree {
	const char *parent_path;
	int parent_fd, fd;
	char name[BEL_NAME_MAX + 1];
	char tmp[64];             /* the name it has while being removed */
	struct stat st;
	struct tree_dir dirs[NKINDS];
};

static void tree_free(struct tree *t)
{
	size_t k;
	uint32_t i;

	for (k = 0; k < NKINDS; k++) {
		for (i = 0; i < t->dirs[k].count; i++)
			close(t->dirs[k].pins[i].fd);
		free(t->dirs[k].pins);
		if (t->dirs[k].fd >= 0)
			close(t->dirs[k].fd);
	}
	if (t->fd >= 0)
		close(t->fd);
	if (t->parent_fd >= 0)
		close(t->parent_fd);
}

/* Why an entry cannot be opened, in words. */
static const char *open_failure(int err)
{
	switch (-err) {
	case ELOOP: return "it is a symbolic link";
	case EXDEV: return "another filesystem is mounted on it";
	case ENOTDIR: return "it is not a directory";
	case EISDIR: return "it is a directory";
	default: return strerror(-err);
	}
}

static int add_pin(struct tree_dir *dir, const char *name, int fd, struct bel_err *err)
{
	if (dir->count == dir->cap) {
		uint32_t cap = dir->cap ? dir->cap * 2 : 16;
		struct tree_pin *grown = cap > dir->cap ? realloc(dir->pins, cap * sizeof(*grown)) : NULL;

		if (!grown)
			return bel_errf(err, ENOMEM, "out of memory");
		dir->pins = grown;
		dir->cap = cap;
	}
	snprintf(dir->pins[dir->count].name, sizeof(dir->pins[0].name), "%s", name);
	dir->pins[dir->count].fd = fd;
	dir->pins[dir->count].removed = false;
	dir->count++;
	return 0;
}

/* Every entry of maps/, programs/ or links/: a pin of that kind, with a name bel makes. */
static int read_dir(struct tree *t, size_t k, const char *path, struct bel_err *err)
{
	struct tree_dir *dir = &t->dirs[k];
	struct dirent *de;
	int ret = 0, dup_fd;
	DIR *d;

	dir->fd = bel_open_beneath(t->fd, kinds[k], O_RDONLY | O_DIRECTORY);
	if (dir->fd < 0)
		return bel_errf(err, -dir->fd, "%s/%s: %s", path, kinds[k], open_failure(dir->fd));
	dup_fd = fcntl(dir->fd, F_DUPFD_CLOEXEC, 0);
	d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		ret = bel_errf(err, errno, "cannot read %s/%s: %s", path, kinds[k], strerror(errno));
		if (dup_fd >= 0)
			close(dup_fd);
		return ret;
	}
	while (!ret && (errno = 0, de = readdir(d)) != NULL) {
		struct bel_err name_err = {0};
		enum bel_fd_kind kind;
		struct stat st;
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (bel_name_check(de->d_name, 0, &name_err)) {
			ret = bel_errf(err, EINVAL, "%s/%s: not a name bel pins: %s", path, kinds[k],
				       name_err.msg);
			break;
		}
		if (fstatat(dir->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			ret = bel_errf(err, errno, "%s/%s/%s: %s", path, kinds[k], de->d_name,
				       strerror(errno));
			break;
		}
		if (!S_ISREG(st.st_mode)) {
			ret = bel_errf(err, EINVAL, "%s/%s/%s: %s", path, kinds[k], de->d_name,
				       S_ISLNK(st.st_mode) ? "it is a symbolic link" : S_ISDIR(st.st_mode) ?
				       "it is a directory" : "it is not a pin");
			break;
		}
		fd = bel_pin_get(dir->fd, path, de->d_name);
		if (fd < 0) {
			ret = bel_errf(err, -fd, "%s/%s/%s: %s", path, kinds[k], de->d_name,
				       fd == -EINVAL ? "it is not a pin" : open_failure(fd));
			break;
		}
		kind = bel_fd_kind(fd);
		if (kind != kind_of[k] && kind != BEL_FD_UNKNOWN) {
			close(fd);
			ret = bel_errf(err, EINVAL, "%s/%s/%s is %s, not %s", path, kinds[k], de->d_name,
				       bel_fd_kind_name(kind), bel_fd_kind_name(kind_of[k]));
			break;
		}
		ret = add_pin(dir, de->d_name, fd, err);
		if (ret)
			close(fd);
	}
	if (!ret && errno)
		ret = bel_errf(err, errno, "cannot read %s/%s: %s", path, kinds[k], strerror(errno));
	closedir(d);
	return ret;
}

/* The whole tree, as bel makes it, or a message saying what else is there. */
static int read_tree(struct tree *t, const char *path, struct bel_err *err)
{
	struct dirent *de;
	int ret = 0, dup_fd;
	size_t k;
	DIR *d;

	t->fd = bel_open_beneath(t->parent_fd, t->name, O_RDONLY | O_DIRECTORY);
	if (t->fd < 0)
		return bel_errf(err, -t->fd, "%s: %s", path, t->fd == -ENOENT ? "no such directory" :
				open_failure(t->fd));
	if (fstat(t->fd, &t->st) || !bel_fd_on_fs(t->fd, BPF_FS_MAGIC))
		return bel_errf(err, EINVAL, "%s is not on bpffs", path);
	dup_fd = fcntl(t->fd, F_DUPFD_CLOEXEC, 0);
	d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		ret = bel_errf(err, errno, "cannot read %s: %s", path, strerror(errno));
		if (dup_fd >= 0)
			close(dup_fd);
		return ret;
	}
	while (!ret && (errno = 0, de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		for (k = 0; k < NKINDS && strcmp(de->d_name, kinds[k]); k++)
			;
		if (k == NKINDS) {
			char quoted[96];

			ret = bel_errf(err, EINVAL, "%s/%s: bel pins only maps/, programs/ and links/ "
				       "there: not a tree bel made", path,
				       bel_name_quote(de->d_name, quoted, sizeof(quoted)));
		} else {
			t->dirs[k].present = true;
		}
	}
	if (!ret && errno)
		ret = bel_errf(err, errno, "cannot read %s: %s", path, strerror(errno));
	closedir(d);
	for (k = 0; k < NKINDS && !ret; k++)
		if (t->dirs[k].present)
			ret = read_dir(t, k, path, err);
	return ret;
}

/* Whether parent/name is still the directory read (not swapped meanwhile). */
static bool still_ours(const struct tree *t, const char *name)
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

static int move_aside(struct tree *t)
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
static int restore(struct tree *t, struct bel_err *why)
{
	char dir_path[PATH_MAX];
	size_t k;
	uint32_t i;
	int ret = 0;

	for (k = 0; k < NKINDS && !ret; k++) {
		struct tree_dir *dir = &t->dirs[k];

		if (!dir->present)
			continue;
		if ((size_t)snprintf(dir_path, sizeof(dir_path), "%s/%s/%s", t->parent_path, t->tmp,
				     kinds[k]) >= sizeof(dir_path)) {
			ret = bel_errf(why, ENAMETOOLONG, "%s: path over PATH_MAX", kinds[k]);
			break;
		}
		if (dir->removed) {
			if (mkdirat(t->fd, kinds[k], 0700)) {
				ret = bel_errf(why, errno, "cannot make %s again: %s", dir_path,
					       strerror(errno));
				break;
			}
			close(dir->fd);
			dir->fd = bel_open_beneath(t->fd, kinds[k], O_PATH | O_DIRECTORY);
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
			ret = bel_pin_at(dir->pins[i].fd, dir->fd, dir_path, dir->pins[i].name);
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

/* Remove the tree, now under t->tmp; on a failure put everything back. */
static int remove_tree(struct tree *t, const char *path, struct bel_err *err)
{
	char first[BEL_ERR_MSG_MAX];
	struct bel_err why = {0};
	const char *what = NULL;
	size_t k;
	uint32_t i;
	int ret = 0;

	for (k = 0; k < NKINDS && !ret; k++) {
		struct tree_dir *dir = &t->dirs[k];

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
		if (!ret && unlinkat(t->fd, kinds[k], AT_REMOVEDIR))
			ret = -errno;
		else if (!ret)
			dir->removed = true;
		if (ret) {
			bel_errf(err, -ret, "cannot remove %s/%s%s%s: %s", path, kinds[k], what ? "/" : "",
				 what ? what : "", strerror(-ret));
			break;
		}
	}
	if (!ret && !still_ours(t, t->tmp))
		ret = bel_errf(err, ESTALE, "%s changed while being removed", path);
	else if (!ret && unlinkat(t->parent_fd, t->tmp, AT_REMOVEDIR))
		ret = bel_errf(err, errno, "cannot remove %s: %s", path, strerror(errno));
	if (!ret)
		return 0;
	memcpy(first, err->msg, sizeof(first));
	if (restore(t, &why))
		return bel_errf(err, -ret, "%s; and putting it back failed (%s): what is left is at "
				"%s/%s", first, why.msg, t->parent_path, t->tmp);
	return bel_errf(err, -ret, "%s; the tree is restored, every pin in place", first);
}

static int unpin(const char *path, struct bel_err *err)
{
	char parent[PATH_MAX], shown[PATH_MAX + 64];
	struct tree t;
	size_t len = strlen(path), k;
	char *slash;
	int ret;

	memset(&t, 0, sizeof(t));
	t.parent_fd = t.fd = -1;
	for (k = 0; k < NKINDS; k++)
		t.dirs[k].fd = -1;
	if (len >= PATH_MAX)
		return bel_errf(err, ENAMETOOLONG, "the path is %zu bytes: over PATH_MAX (%d); refused "
				"rather than cut", len, PATH_MAX);
	memcpy(parent, path, len + 1);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = '\0';
	slash = strrchr(parent, '/');
	ret = bel_name_check(slash ? slash + 1 : parent, 0, err);
	if (ret)
		return bel_err_prefix(err, "%s is not a tree bel pins", path);
	snprintf(t.name, sizeof(t.name), "%s", slash ? slash + 1 : parent);
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	t.parent_path = parent;
	snprintf(shown, sizeof(shown), "%s%s%s", !strcmp(parent, "/") ? "" : parent, "/", t.name);

	t.parent_fd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t.parent_fd < 0)
		ret = bel_errf(err, errno, "cannot open %s: %s", parent, strerror(errno));
	else if (!bel_fd_on_fs(t.parent_fd, BPF_FS_MAGIC))
		ret = bel_errf(err, EINVAL, "%s is not on bpffs: not a tree bel pins", shown);
	if (!ret)
		ret = read_tree(&t, shown, err);
	if (!ret) {
		/* out of sight first, so nobody opens half of it */
		ret = move_aside(&t);
		if (ret)
			bel_errf(err, -ret, "cannot move %s aside: %s", shown, strerror(-ret));
	}
	if (!ret && !still_ours(&t, t.tmp)) {
		rename_noreplace(t.parent_fd, t.tmp, t.name);
		ret = bel_errf(err, ESTALE, "%s changed while being read", shown);
	}
	if (!ret)
		ret = remove_tree(&t, shown, err);
	tree_free(&t);
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
		bel_thread_fail(&err);
	return ret;
}

/* Remove a tree this process has just made and not published (a failed pin). */
void bel_tree_discard(int parent_fd, const char *name)
{
	int fd = bel_open_beneath(parent_fd, name, O_RDONLY | O_DIRECTORY);
	size_t k;

	if (fd < 0)
		return;
	for (k = 0; k < NKINDS; k++) {
		int kfd = bel_open_beneath(fd, kinds[k], O_RDONLY | O_DIRECTORY);
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
		unlinkat(fd, kinds[k], AT_REMOVEDIR);
	}
	close(fd);
	unlinkat(parent_fd, name, AT_REMOVEDIR);
}
