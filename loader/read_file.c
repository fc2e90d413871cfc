/* SPDX-License-Identifier: MIT */
/* Whole regular files into memory: object files, and the binaries uprobes are placed in. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	default: return "not a regular file";
	}
}

int bel_read_regular_fd(int fd, const char *path, uint64_t max, void **image, size_t *size,
			struct bel_err *err)
{
	struct stat st, after;
	uint8_t *buf;
	size_t done = 0;

	if (fstat(fd, &st))
		return bel_errf(err, errno, "cannot stat %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bel_errf(err, EINVAL, "%s is not a regular file (%s)", path, file_kind(st.st_mode));
	if (st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX || (uint64_t)st.st_size > max)
		return bel_errf(err, st.st_size ? EFBIG : EINVAL, "%s is %s", path,
				!st.st_size ? "empty" : (uint64_t)st.st_size > max
				? "larger than bel reads" : "too large for this process");
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return bel_errf(err, ENOMEM, "out of memory for %s (%lld bytes)", path,
				(long long)st.st_size);
	while (done < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + done, (size_t)st.st_size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done < (size_t)st.st_size || fstat(fd, &after) || after.st_size != st.st_size ||
	    after.st_mtim.tv_sec != st.st_mtim.tv_sec || after.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
		free(buf);
		return bel_errf(err, EIO, "%s changed while being read (%zu of %lld bytes read)", path,
				done, (long long)st.st_size);
	}
	*image = buf;
	*size = done;
	return 0;
}
