/* SPDX-License-Identifier: MIT */
#include "fs_safe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "syscall/bpf.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static int openat2_beneath(int dir_fd, const char *name, int flags)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
	fd = syscall(SYS_openat2, dir_fd, name, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* The mount an fd is on, from /proc/self/fdinfo; -1 when /proc cannot say. */
static long mount_id(int fd)
{
	char path[64], line[128];
	long id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %ld", &id) == 1)
			break;
	fclose(f);
	return id;
}

static bool same_mount(int a, int b)
{
	long ma = mount_id(a), mb = mount_id(b);
	struct stat sa, sb;

	if (ma >= 0 && mb >= 0)
		return ma == mb;
	/* no /proc: another filesystem at least shows in the device number */
	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev;
}

int ldr_open_beneath(int dir_fd, const char *name, int flags)
{
	struct stat st;
	int fd;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	fd = openat2_beneath(dir_fd, name, flags);
	if (fd != -ENOSYS)
		return fd;
	/* Before Linux 5.6. A single component cannot pass through a link on its way; the last
	 * one is refused by O_NOFOLLOW (with O_PATH it opens the link itself: refused below). */
	fd = openat(dir_fd, name, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || S_ISLNK(st.st_mode)) {
		close(fd);
		return -ELOOP;
	}
	if (!same_mount(dir_fd, fd)) {
		close(fd);
		return -EXDEV;
	}
	return fd;
}

bool ldr_fd_on_fs(int fd, long magic)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && (long)sfs.f_type == magic;
}

void ldr_fd_walk_open(struct ldr_fd_walk *w)
{
	w->proc_fds = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	w->path_fd_refused = false;
}

void ldr_fd_walk_close(struct ldr_fd_walk *w)
{
	if (w->proc_fds >= 0)
		close(w->proc_fds);
	w->proc_fds = -1;
}

enum ldr_fd_kind ldr_fd_kind_in(const struct ldr_fd_walk *w, int fd)
{
	char path[64], target[64];
	ssize_t n;

	if (w && w->proc_fds >= 0) {
		snprintf(path, sizeof(path), "%d", fd);
		n = readlinkat(w->proc_fds, path, target, sizeof(target) - 1);
	} else {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
	}
	if (n < 0)
		return BEL_FD_UNKNOWN;
	target[n] = '\0';
	if (!strcmp(target, "anon_inode:bpf-map"))
		return BEL_FD_MAP;
	if (!strcmp(target, "anon_inode:bpf-prog"))
		return BEL_FD_PROG;
	/* a link made now is "bpf_link", one opened from a pin "bpf-link" */
	if (!strcmp(target, "anon_inode:bpf_link") || !strcmp(target, "anon_inode:bpf-link"))
		return BEL_FD_LINK;
	return BEL_FD_OTHER;
}

enum ldr_fd_kind ldr_fd_kind(int fd)
{
	return ldr_fd_kind_in(NULL, fd);
}

const char *ldr_fd_kind_name(enum ldr_fd_kind kind)
{
	switch (kind) {
	case BEL_FD_MAP: return "a map";
	case BEL_FD_PROG: return "a program";
	case BEL_FD_LINK: return "a link";
	case BEL_FD_OTHER: return "not a BPF map, program or link";
	default: return "of an unknown kind";
	}
}

/* The object behind the O_PATH fd pfd, which names dir_fd/name. */
static int get_opened(struct ldr_fd_walk *w, int pfd, int dir_fd, const char *dir_path,
		      const char *name)
{
	char path[PATH_MAX];
	int fd;

	/* The kernel follows /proc/self/fd/N to the very inode opened, so a link swapped in
	 * since cannot redirect the get. */
	if (w && w->proc_fds >= 0 && !w->path_fd_refused) {
		snprintf(path, sizeof(path), "%d", pfd);
		fd = bel_sys_obj_get_at(w->proc_fds, path, 0);
		if (fd != -EINVAL)
			return fd;
		w->path_fd_refused = true; /* before 6.5: by path from here on */
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
	fd = bel_sys_obj_get(path, 0);
	if (fd == -ENOENT && access("/proc/self/fd", X_OK)) {
		/* no /proc: by name, which the checks above have just seen to be a pin */
		fd = bel_sys_obj_get_at(dir_fd, name, 0);
		if (fd == -EINVAL) {
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir_path, name) >= sizeof(path))
				fd = -ENAMETOOLONG;
			else
				fd = bel_sys_obj_get(path, 0);
		}
	}
	return fd;
}

int ldr_pin_get_in(struct ldr_fd_walk *w, int dir_fd, const char *dir_path, const char *name)
{
	struct stat st;
	int pfd, fd;

	pfd = ldr_open_beneath(dir_fd, name, O_PATH);
	if (pfd < 0)
		return pfd;
	/* In a walk with /proc the get goes to the very inode opened, which the kernel refuses
	 * unless it is a pin: what it is instead is asked only then, for the error. */
	if (w && w->proc_fds >= 0) {
		fd = get_opened(w, pfd, dir_fd, dir_path, name);
		if (fd < 0 && !fstat(pfd, &st) && !S_ISREG(st.st_mode))
			fd = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		close(pfd);
		return fd;
	}
	if (fstat(pfd, &st)) {
		fd = -errno;
		close(pfd);
		return fd;
	}
	if (!S_ISREG(st.st_mode)) {
		close(pfd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	fd = get_opened(w, pfd, dir_fd, dir_path, name);
	close(pfd);
	return fd;
}

int ldr_pin_get(int dir_fd, const char *dir_path, const char *name)
{
	return ldr_pin_get_in(NULL, dir_fd, dir_path, name);
}

int ldr_pin_at(int fd, int dir_fd, const char *dir_path, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	int ret;

	ret = bel_sys_obj_pin_at(fd, dir_fd, name);
	if (ret != -EINVAL)
		return ret;
	/* Before Linux 6.5, by path (the kernel refuses /proc/self/fd/N for a new pin) */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir_path, name) >= sizeof(path))
		return -ENAMETOOLONG;
	ret = bel_sys_obj_pin(fd, path);
	if (ret)
		return ret;
	/* The path was resolved again: if a directory on it was swapped, the pin is not where
	 * dir_fd is. Take it back rather than leave it there. */
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode)) {
		unlink(path);
		return -ESTALE;
	}
	return 0;
}

/* path without trailing slashes, in buf (at least PATH_MAX bytes). */
static int copy_path(const char *path, char *buf, struct bel_err *err)
{
	size_t len = strlen(path);

	if (!len)
		return bel_errf(err, EINVAL, "the directory is an empty path");
	if (len >= PATH_MAX)
		return bel_errf(err, ENAMETOOLONG, "the directory is a path of %zu bytes: over PATH_MAX "
				"(%d); refused rather than cut", len, PATH_MAX);
	memcpy(buf, path, len + 1);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	return 0;
}

/* Cut the last component (and the "." components before it) off path; false when none. */
static bool cut_last(char *path)
{
	char *slash;

	do {
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			return false;
		*slash = '\0';
		while (slash > path + 1 && slash[-1] == '/')
			*--slash = '\0';
		slash = strrchr(path, '/');
	} while (!strcmp(slash ? slash + 1 : path, "."));
	return true;
}

void ldr_bpffs_unmake(const char *path, unsigned int made)
{
	char buf[PATH_MAX];

	if (!made || copy_path(path, buf, NULL))
		return;
	while (made--) {
		if (rmdir(buf))
			return;
		if (!cut_last(buf))
			return;
	}
}

/* The deepest part of buf (a path that does not exist) that exists, open, into base (PATH_MAX
 * bytes), and where in buf the rest starts: it decides where the rest would be made, so it must
 * be on bpffs. */
static int deepest_on_bpffs(const char *buf, char *base, size_t *rest_at, struct bel_err *err)
{
	int fd;

	memcpy(base, buf, PATH_MAX);
	for (;;) {
		char *slash = strrchr(base, '/');

		if (!slash) {
			snprintf(base, PATH_MAX, ".");
			*rest_at = 0;
		} else if (slash == base) {
			base[1] = '\0';
			*rest_at = 1;
		} else {
			*slash = '\0';
			*rest_at = (size_t)(slash - base) + 1;
		}
		fd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || !slash || slash == base)
			break;
	}
	if (fd < 0)
		return bel_errf(err, errno, "cannot open %s: %s", base, strerror(errno));
	if (!ldr_fd_on_fs(fd, BPF_FS_MAGIC)) {
		close(fd);
		return bel_errf(err, EINVAL, "%s does not exist, and %s, where it would be made, is not "
				"on bpffs: BPF objects are pinned only on a bpf filesystem (mount -t bpf "
				"bpf DIR)", buf, base);
	}
	return fd;
}

int ldr_bpffs_dir(const char *path, bool make, unsigned int *made, struct bel_err *err)
{
	char buf[PATH_MAX], base[PATH_MAX], made_path[PATH_MAX], *comp, *save = NULL;
	size_t rest_at;
	int fd, ret;

	*made = 0;
	ret = copy_path(path, buf, err);
	if (ret)
		return ret;
	fd = open(buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* bpffs refuses to look up any name with a '.' in it (they are kept for the kernel's own
	 * files, maps.debug and progs.debug), so such a root could be neither found nor made */
	if (fd < 0 && errno == EPERM && strchr(buf, '.'))
		return bel_errf(err, EPERM, "cannot open %s: %s (bpffs refuses names with a '.')", buf,
				strerror(EPERM));
	if (fd < 0 && (errno != ENOENT || !make))
		return bel_errf(err, errno, "cannot open %s: %s", buf, strerror(errno));
	if (fd >= 0) {
		if (!ldr_fd_on_fs(fd, BPF_FS_MAGIC)) {
			close(fd);
			return bel_errf(err, EINVAL, "%s is not on bpffs: BPF objects are pinned only on "
					"a bpf filesystem (mount -t bpf bpf DIR)", buf);
		}
		return fd;
	}
	fd = deepest_on_bpffs(buf, base, &rest_at, err);
	if (fd < 0)
		return fd;
	memcpy(made_path, buf, sizeof(made_path));
	for (comp = strtok_r(buf + rest_at, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		bool made_this = false;
		int next;

		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			close(fd);
			made_path[comp - buf] = '\0';
			ldr_bpffs_unmake(made_path, *made);
			*made = 0;
			return bel_errf(err, EINVAL, "%s does not exist, and making it would go through "
					"'..' below %s: refused", path, base);
		}
		if (!mkdirat(fd, comp, 0700))
			made_this = ++*made;
		else if (errno != EEXIST)
			ret = -errno;
		next = ret ? ret : ldr_open_beneath(fd, comp, O_PATH | O_DIRECTORY);
		close(fd);
		if (next < 0) {
			bel_errf(err, -next, "cannot make %s: %s at '%s'", path,
				 next == -ELOOP ? "a symbolic link" : next == -EXDEV ?
				 "another filesystem" : strerror(-next), comp);
			made_path[comp - buf + (made_this ? strlen(comp) : 0)] = '\0';
			ldr_bpffs_unmake(made_path, *made);
			*made = 0;
			return next;
		}
		fd = next;
	}
	return fd;
}
