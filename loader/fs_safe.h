/* SPDX-License-Identifier: MIT */
/*
 * Directories someone else may write (a bpffs tree, the pin root, tracefs as seen through a
 * path): walked one component at a time from a directory fd, never following a symbolic link,
 * never crossing into another mount. Names given here are single components that passed
 * ldr_name_check (pin_names.h).
 *
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV) does it where the kernel has
 * it (5.6); before, openat(O_NOFOLLOW) and a check that the result is on the same mount as
 * its directory (mnt_id from /proc/self/fdinfo, else the device number).
 */
#ifndef BEL_LOADER_FS_SAFE_H
#define BEL_LOADER_FS_SAFE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

/* Open the entry name of dir_fd (flags as openat: O_PATH, O_DIRECTORY, ...). Returns an fd or
 * -errno: -ELOOP for a symbolic link, -EXDEV for a mount point. */
int ldr_open_beneath(int dir_fd, const char *name, int flags);

/* Whether fd is on a filesystem of this type (BPF_FS_MAGIC, TRACEFS_MAGIC, ...). */
bool ldr_fd_on_fs(int fd, long magic);

/* What a bpf() fd refers to, as the kernel names its file ("bpf-map", ...). */
enum ldr_fd_kind { BEL_FD_UNKNOWN, BEL_FD_MAP, BEL_FD_PROG, BEL_FD_LINK, BEL_FD_OTHER };
enum ldr_fd_kind ldr_fd_kind(int fd);
const char *ldr_fd_kind_name(enum ldr_fd_kind kind); /* "a map", "a program", ... */

/*
 * /proc/self/fd opened once for a walk over many pins: each pin's get and kind check then
 * looks up one component instead of the whole /proc/self/fd/N path (most of a restart's time
 * in the kernel). proc_fds -1: no /proc, or not opened; path_fd_refused remembers a kernel
 * before 6.5, which has no get relative to a directory fd.
 */
struct ldr_fd_walk {
	int proc_fds;
	bool path_fd_refused;
};
void ldr_fd_walk_open(struct ldr_fd_walk *w);
void ldr_fd_walk_close(struct ldr_fd_walk *w);
enum ldr_fd_kind ldr_fd_kind_in(const struct ldr_fd_walk *w, int fd);

/* The object pinned at dir_fd/name (dir_path: dir_fd's path, for kernels without path_fd).
 * Never follows a symbolic link: -ELOOP; -EISDIR for a directory, -EXDEV for a mount point,
 * -ENOENT when nothing is there. */
int ldr_pin_get(int dir_fd, const char *dir_path, const char *name);
/* The same within a walk (w may be NULL). */
int ldr_pin_get_in(struct ldr_fd_walk *w, int dir_fd, const char *dir_path, const char *name);
/* Pin fd at dir_fd/name (BPF_F_PATH_FD, else dir_path/name). 0 or -errno (-EEXIST). */
int ldr_pin_at(int fd, int dir_fd, const char *dir_path, const char *name);

/*
 * A directory on bpffs to pin under, as an O_PATH fd. The path is the caller's and is followed
 * as given. When it does not exist, it is made (with its missing parents) provided the
 * deepest part that exists is on bpffs; *made tells how many directories were made (the
 * deepest last), for ldr_bpffs_unmake on failure. Refused (-EINVAL, message) when not on bpffs.
 */
int ldr_bpffs_dir(const char *path, bool make, unsigned int *made, struct bel_err *err);
/* Remove the last `made` directories of path, if still empty (undoing ldr_bpffs_dir). */
void ldr_bpffs_unmake(const char *path, unsigned int made);

#endif
