/* SPDX-License-Identifier: MIT */
/*
 * The binary a uprobe or USDT probe goes into. A path is used as given; a bare name is looked
 * up as the dynamic loader would for a library ("lib*.so*": LD_LIBRARY_PATH, /etc/ld.so.cache,
 * then the standard directories) and in PATH for anything else. The name must be one path
 * component (pin_names.h's rule) before it is joined to a directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf/ld_cache.h"
#include "pin_names.h"
#include "uprobe.h"

#define LD_CACHE "/etc/ld.so.cache"
#define LD_CACHE_MAX (64u << 20)

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#endif

static const char *const lib_dirs[] = {
#ifdef MULTIARCH
	"/lib/" MULTIARCH, "/usr/lib/" MULTIARCH,
#endif
	"/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

/* dir/name when it is an existing file; dirs is a ':'-separated list (empty entries skipped). */
static bool in_dirs(const char *dirs, const char *name, char *path)
{
	const char *p = dirs;

	while (p && *p) {
		size_t len = strcspn(p, ":");

		if (len && (size_t)snprintf(path, PATH_MAX, "%.*s/%s", (int)len, p, name) < PATH_MAX &&
		    !access(path, F_OK))
			return true;
		p += len;
		if (*p == ':')
			p++;
	}
	return false;
}

static bool in_ld_cache(const char *name, char *path)
{
	int fd = open(LD_CACHE, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct bel_err err = {0};
	const char *found;
	void *buf;
	size_t size;
	bool ok = false;

	if (fd < 0)
		return false;
	if (!ldr_read_regular_fd(fd, LD_CACHE, LD_CACHE_MAX, &buf, &size, &err)) {
		found = bel_ld_cache_lookup(buf, size, name);
		ok = found && strlen(found) < PATH_MAX && !access(found, F_OK);
		if (ok)
			strcpy(path, found);
		free(buf);
	}
	close(fd);
	return ok;
}

int ldr_target_binary_find(const char *name, char *path, struct bel_err *err)
{
	size_t i;
	int ret;

	if (strchr(name, '/')) {
		if (strlen(name) >= PATH_MAX)
			return bel_errf(err, ENAMETOOLONG, "binary path of %zu bytes", strlen(name));
		strcpy(path, name);
		return 0;
	}
	ret = ldr_name_check(name, 0, err);
	if (ret)
		return bel_err_prefix(err, "binary name");
	if (strstr(name, ".so")) {
		if (in_dirs(getenv("LD_LIBRARY_PATH"), name, path) || in_ld_cache(name, path))
			return 0;
		for (i = 0; i < sizeof(lib_dirs) / sizeof(lib_dirs[0]); i++)
			if (in_dirs(lib_dirs[i], name, path))
				return 0;
		return bel_errf(err, ENOENT, "library '%s' not found (LD_LIBRARY_PATH, %s, /lib, "
				"/usr/lib and their multiarch and lib64 directories)", name, LD_CACHE);
	}
	if (in_dirs(getenv("PATH"), name, path))
		return 0;
	return bel_errf(err, ENOENT, "executable '%s' not found in PATH", name);
}

int ldr_target_binary_open(const char *name, struct ldr_target_binary *t, struct bel_err *err)
{
	struct stat st;
	int ret;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	ret = ldr_target_binary_find(name, t->path, err);
	if (ret)
		return ret;
	t->fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (t->fd < 0)
		return bel_errf(err, errno, "cannot open %s: %s", t->path, strerror(errno));
	ret = ldr_read_regular_fd(t->fd, t->path, BEL_TARGET_MAX_SIZE, &t->image, &t->size, err);
	if (!ret && fstat(t->fd, &st))
		ret = bel_errf(err, errno, "cannot stat %s: %s", t->path, strerror(errno));
	if (!ret) {
		t->dev = (uint64_t)st.st_dev;
		t->ino = (uint64_t)st.st_ino;
		ret = bel_binary_open(t->image, t->size, &t->bin, err);
		if (ret)
			bel_err_prefix(err, "binary '%s'", t->path);
	}
	if (ret) {
		ldr_target_binary_close(t);
		return ret;
	}
	return 0;
}

int ldr_target_binary_check(const struct ldr_target_binary *t, struct bel_err *err)
{
	struct stat st;

	if (stat(t->path, &st))
		return bel_errf(err, errno, "%s: %s", t->path, strerror(errno));
	if ((uint64_t)st.st_dev != t->dev || (uint64_t)st.st_ino != t->ino)
		return bel_errf(err, ESTALE, "%s was replaced while bel attached to it", t->path);
	return 0;
}

void ldr_target_binary_close(struct ldr_target_binary *t)
{
	bel_binary_free(t->bin);
	free(t->image);
	if (t->fd >= 0)
		close(t->fd);
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}
