/* SPDX-License-Identifier: MIT */
/*
 * A tree made by bel_object_pin, read as it is now: root/<object>/{maps,programs,links}/<name>.
 *
 * Anyone who can write the tree may have changed it, so it is read from directory fds, without
 * following a symbolic link or entering another mount, and it must be what bel makes: on bpffs,
 * only maps/, programs/ and links/, holding only pins whose names pass ldr_name_check, a map
 * under maps/, a program under programs/, a link under links/. Anything else is refused with a
 * message saying what is there. Each pin is opened as it is read, and its fd kept: unpin holds
 * them to put a tree back, adopt to take its maps, programs and links.
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
#include "pin_tree.h"

const char *const ldr_pin_dirs[BEL_PIN_KINDS] = {"maps", "programs", "links"};
static const enum ldr_fd_kind kind_of[] = {BEL_FD_MAP, BEL_FD_PROG, BEL_FD_LINK};

void ldr_pin_tree_free(struct ldr_pin_tree *t)
{
	size_t k;
	uint32_t i;

	for (k = 0; k < BEL_PIN_KINDS; k++) {
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
const char *ldr_pin_open_failure(int err)
{
	switch (-err) {
	case ELOOP: return "it is a symbolic link";
	case EXDEV: return "another filesystem is mounted on it";
	case ENOTDIR: return "it is not a directory";
	case EISDIR: return "it is a directory";
	default: return strerror(-err);
	}
}

static int add_pin(struct ldr_tree_dir *dir, const char *name, int fd, struct bel_err *err)
{
	if (dir->count == dir->cap) {
		uint32_t cap = dir->cap ? dir->cap * 2 : 16;
		struct ldr_tree_pin *grown = cap > dir->cap ? realloc(dir->pins, cap * sizeof(*grown)) : NULL;

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
static int read_dir(struct ldr_pin_tree *t, size_t k, struct ldr_fd_walk *walk, const char *path,
		    struct bel_err *err)
{
	struct ldr_tree_dir *dir = &t->dirs[k];
	struct dirent *de;
	int ret = 0, dup_fd;
	DIR *d;

	dir->fd = ldr_open_beneath(t->fd, ldr_pin_dirs[k], O_RDONLY | O_DIRECTORY);
	if (dir->fd < 0)
		return bel_errf(err, -dir->fd, "%s/%s: %s", path, ldr_pin_dirs[k], ldr_pin_open_failure(dir->fd));
	dup_fd = fcntl(dir->fd, F_DUPFD_CLOEXEC, 0);
	d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		ret = bel_errf(err, errno, "cannot read %s/%s: %s", path, ldr_pin_dirs[k], strerror(errno));
		if (dup_fd >= 0)
			close(dup_fd);
		return ret;
	}
	while (!ret && (errno = 0, de = readdir(d)) != NULL) {
		struct bel_err name_err = {0};
		enum ldr_fd_kind kind;
		struct stat st;
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (ldr_name_check(de->d_name, 0, &name_err)) {
			ret = bel_errf(err, EINVAL, "%s/%s: not a name bel pins: %s", path, ldr_pin_dirs[k],
				       name_err.msg);
			break;
		}
		/* readdir's type says it without a syscall; ldr_pin_get checks again on the inode
		 * it opens, so this is for the message */
		if (de->d_type == DT_REG)
			st.st_mode = S_IFREG;
		else if (de->d_type == DT_LNK)
			st.st_mode = S_IFLNK;
		else if (de->d_type == DT_DIR)
			st.st_mode = S_IFDIR;
		else if (fstatat(dir->fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			ret = bel_errf(err, errno, "%s/%s/%s: %s", path, ldr_pin_dirs[k], de->d_name,
				       strerror(errno));
			break;
		}
		if (!S_ISREG(st.st_mode)) {
			ret = bel_errf(err, EINVAL, "%s/%s/%s: %s", path, ldr_pin_dirs[k], de->d_name,
				       S_ISLNK(st.st_mode) ? "it is a symbolic link" : S_ISDIR(st.st_mode) ?
				       "it is a directory" : "it is not a pin");
			break;
		}
		fd = ldr_pin_get_in(walk, dir->fd, path, de->d_name);
		if (fd < 0) {
			ret = bel_errf(err, -fd, "%s/%s/%s: %s", path, ldr_pin_dirs[k], de->d_name,
				       fd == -EINVAL ? "it is not a pin" : ldr_pin_open_failure(fd));
			break;
		}
		kind = ldr_fd_kind_in(walk, fd);
		if (kind != kind_of[k] && kind != BEL_FD_UNKNOWN) {
			close(fd);
			ret = bel_errf(err, EINVAL, "%s/%s/%s is %s, not %s", path, ldr_pin_dirs[k], de->d_name,
				       ldr_fd_kind_name(kind), ldr_fd_kind_name(kind_of[k]));
			break;
		}
		ret = add_pin(dir, de->d_name, fd, err);
		if (ret)
			close(fd);
	}
	if (!ret && errno)
		ret = bel_errf(err, errno, "cannot read %s/%s: %s", path, ldr_pin_dirs[k], strerror(errno));
	closedir(d);
	return ret;
}

static int by_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ldr_tree_pin *)a)->name, ((const struct ldr_tree_pin *)b)->name);
}

int ldr_pin_tree_read(struct ldr_pin_tree *t, const char *path, struct bel_err *err)
{
	struct ldr_fd_walk walk;
	struct dirent *de;
	int ret = 0, dup_fd;
	size_t k;
	DIR *d;

	t->fd = ldr_open_beneath(t->parent_fd, t->name, O_RDONLY | O_DIRECTORY);
	if (t->fd < 0)
		return bel_errf(err, -t->fd, "%s: %s", path, t->fd == -ENOENT ? "no such directory" :
				ldr_pin_open_failure(t->fd));
	if (fstat(t->fd, &t->st) || !ldr_fd_on_fs(t->fd, BPF_FS_MAGIC))
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
		for (k = 0; k < BEL_PIN_KINDS && strcmp(de->d_name, ldr_pin_dirs[k]); k++)
			;
		if (k == BEL_PIN_KINDS) {
			char quoted[96];

			ret = bel_errf(err, EINVAL, "%s/%s: bel pins only maps/, programs/ and links/ "
				       "there: not a tree bel made", path,
				       ldr_name_quote(de->d_name, quoted, sizeof(quoted)));
		} else {
			t->dirs[k].present = true;
		}
	}
	if (!ret && errno)
		ret = bel_errf(err, errno, "cannot read %s: %s", path, strerror(errno));
	closedir(d);
	ldr_fd_walk_open(&walk);
	for (k = 0; k < BEL_PIN_KINDS && !ret; k++)
		if (t->dirs[k].present)
			ret = read_dir(t, k, &walk, path, err);
	ldr_fd_walk_close(&walk);
	/* by name, so each of an object's names is found with a binary search */
	for (k = 0; k < BEL_PIN_KINDS && !ret; k++)
		if (t->dirs[k].count)
			qsort(t->dirs[k].pins, t->dirs[k].count, sizeof(*t->dirs[k].pins), by_name_cmp);
	return ret;
}

void ldr_pin_tree_init(struct ldr_pin_tree *t)
{
	size_t k;

	memset(t, 0, sizeof(*t));
	t->parent_fd = t->fd = -1;
	for (k = 0; k < BEL_PIN_KINDS; k++)
		t->dirs[k].fd = -1;
}

int ldr_pin_tree_locate(struct ldr_pin_tree *t, const char *path, struct bel_err *err)
{
	size_t len = strlen(path);
	char *slash;
	int ret;

	if (len >= PATH_MAX)
		return bel_errf(err, ENAMETOOLONG, "the path is %zu bytes: over PATH_MAX (%d); refused "
				"rather than cut", len, PATH_MAX);
	memcpy(t->parent_path, path, len + 1);
	while (len > 1 && t->parent_path[len - 1] == '/')
		t->parent_path[--len] = '\0';
	slash = strrchr(t->parent_path, '/');
	ret = ldr_name_check(slash ? slash + 1 : t->parent_path, 0, err);
	if (ret)
		return bel_err_prefix(err, "%s is not a tree bel pins", path);
	snprintf(t->name, sizeof(t->name), "%s", slash ? slash + 1 : t->parent_path);
	if (!slash)
		snprintf(t->parent_path, sizeof(t->parent_path), ".");
	else if (slash == t->parent_path)
		t->parent_path[1] = '\0';
	else
		*slash = '\0';
	snprintf(t->shown, sizeof(t->shown), "%s%s%s", !strcmp(t->parent_path, "/") ? "" :
		 t->parent_path, "/", t->name);
	t->parent_fd = open(t->parent_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->parent_fd < 0)
		return bel_errf(err, errno, "cannot open %s: %s", t->parent_path, strerror(errno));
	if (!ldr_fd_on_fs(t->parent_fd, BPF_FS_MAGIC))
		return bel_errf(err, EINVAL, "%s is not on bpffs: not a tree bel pins", t->shown);
	return 0;
}

const struct ldr_tree_pin *ldr_pin_tree_find(const struct ldr_pin_tree *t, int kind,
					     const char *name)
{
	const struct ldr_tree_dir *dir = &t->dirs[kind];
	struct ldr_tree_pin key;

	if (!dir->present || !dir->count || strlen(name) >= sizeof(key.name))
		return NULL;
	strcpy(key.name, name);
	return bsearch(&key, dir->pins, dir->count, sizeof(*dir->pins), by_name_cmp);
}
