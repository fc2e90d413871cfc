/* SPDX-License-Identifier: MIT */
/* Whole files in and out for the commands that read inputs and write generated text. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void *cli_read_file(const char *path, size_t max, size_t *size, const char *what)
{
	size_t cap = 64 << 10, len = 0;
	uint8_t *buf = NULL, *grown;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		cli_error("%s: cannot open %s: %s", what, path, strerror(errno));
		return NULL;
	}
	/* read to the end rather than trust st_size: sysfs files and pipes may not report theirs;
	 * one byte past max tells a file that is too large */
	for (;;) {
		ssize_t n;

		if (!buf || len == cap) {
			size_t want = buf ? cap * 2 : cap;

			cap = want < max + 1 ? want : max + 1;
			grown = realloc(buf, cap);
			if (!grown) {
				cli_error("%s: out of memory reading %s", what, path);
				goto fail;
			}
			buf = grown;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("%s: cannot read %s: %s", what, path, strerror(errno));
			goto fail;
		}
		if (!n)
			break;
		len += (size_t)n;
		if (len > max) {
			cli_error("%s: %s is larger than %zu bytes", what, path, max);
			goto fail;
		}
	}
	close(fd);
	*size = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

int cli_write_file(const char *path, const char *text, size_t len, const char *what)
{
	char *tmp = NULL, *dir_copy = strdup(path), *base_copy = strdup(path);
	size_t done = 0;
	mode_t mask;
	int fd, err;

	if (!dir_copy || !base_copy ||
	    asprintf(&tmp, "%s/.%s.XXXXXX", dirname(dir_copy), basename(base_copy)) < 0) {
		free(dir_copy);
		free(base_copy);
		cli_error("%s: out of memory", what);
		return -ENOMEM;
	}
	free(dir_copy);
	free(base_copy);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		cli_error("%s: cannot create a temporary file beside %s: %s", what, path, strerror(err));
		free(tmp);
		return -err;
	}
	mask = umask(0);
	umask(mask);
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done < len || fchmod(fd, 0666 & ~mask)) {
		cli_error("%s: cannot write %s: %s", what, tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd)) {
		cli_error("%s: cannot write %s: %s", what, tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path)) {
		cli_error("%s: cannot rename %s to %s: %s", what, tmp, path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return -EIO;
}
