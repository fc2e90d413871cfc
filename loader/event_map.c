/* SPDX-License-Identifier: MIT */
#include "event_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs_safe.h"
#include "names.h"
#include "syscall/bpf.h"

int ldr_event_map_info(int fd, uint32_t want, const char *reader, struct bpf_map_info *info,
		       struct bel_err *err)
{
	uint32_t len = sizeof(*info);
	enum ldr_fd_kind kind;
	int ret;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return bel_errf(err, EBADF, "%s: map fd %d is not an open file descriptor", reader,
				fd);
	/* BPF_OBJ_GET_INFO_BY_FD answers for programs, links and BTF too, and their info
	 * would be read as a map's: the kind of object comes first */
	kind = ldr_fd_kind(fd);
	if (kind == BEL_FD_OTHER)
		return bel_errf(err, EINVAL, "%s: fd %d is not a BPF map", reader, fd);
	if (kind != BEL_FD_MAP && kind != BEL_FD_UNKNOWN)
		return bel_errf(err, EINVAL, "%s: fd %d is %s, not a BPF map", reader, fd,
				ldr_fd_kind_name(kind));
	memset(info, 0, sizeof(*info));
	ret = bel_sys_obj_get_info_by_fd(fd, info, &len);
	if (ret)
		return bel_errf(err, -ret, "%s: map fd %d: cannot read its info: %s", reader, fd,
				strerror(-ret));
	if (info->type != want)
		return bel_errf(err, EINVAL, "%s: map fd %d (id %u, '%s') is a %s map (type %u), not a %s",
				reader, fd, info->id, info->name, ldr_map_type_name(info->type),
				info->type, ldr_map_type_name(want));
	return 0;
}
