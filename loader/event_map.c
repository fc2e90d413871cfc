/* SPDX-License-Identifier: MIT */
#include "event_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "names.h"
#include "syscall/bpf.h"

/*
 * What /proc says an fd is ("anon_inode:bpf-map", "anon_inode:bpf-prog", "pipe:[12]"), or ""
 * when /proc cannot say. BPF_OBJ_GET_INFO_BY_FD answers for programs, links and BTF too, and
 * their info would be read as a map's, so the kind of object is taken from here.
 */
static void fd_kind(int fd, char *out, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
}

int bel_event_map_info(int fd, uint32_t want, const char *reader, struct bpf_map_info *info,
		       struct bel_err *err)
{
	uint32_t len = sizeof(*info);
	char kind[128];
	int ret;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return bel_errf(err, EBADF, "%s: map fd %d is not an open file descriptor", reader,
				fd);
	memset(info, 0, sizeof(*info));
	ret = bel_sys_obj_get_info_by_fd(fd, info, &len);
	fd_kind(fd, kind, sizeof(kind));
	if (ret == 0 && kind[0] && strcmp(kind, "anon_inode:bpf-map") != 0)
		ret = -EINVAL;
	if (ret) {
		if (kind[0])
			return bel_errf(err, -ret, "%s: fd %d is not a BPF map (%s)", reader, fd, kind);
		return bel_errf(err, -ret, "%s: map fd %d: cannot read its info: %s", reader, fd,
				strerror(-ret));
	}
	if (info->type != want)
		return bel_errf(err, EINVAL, "%s: map fd %d (id %u, '%s') is a %s map (type %u), not a %s",
				reader, fd, info->id, info->name, bel_map_type_name(info->type),
				info->type, bel_map_type_name(want));
	return 0;
}
