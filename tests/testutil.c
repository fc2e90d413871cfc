/* SPDX-License-Identifier: MIT */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef BEL_FIXTURE_DIR
#error "BEL_FIXTURE_DIR must be defined by the build"
#endif

const char *fixture_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("BEL_FIXTURE_DIR");

	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir ? dir : BEL_FIXTURE_DIR, name);
	return path;
}

void *read_file(const char *path, size_t *size)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || st.st_size <= 0) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*size = (size_t)st.st_size;
	return buf;
}

static bool on_bpffs(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC;
}

bool kernel_ready(void)
{
	const char *why = NULL;
	const char *ci = getenv("CI");

	if (geteuid() != 0)
		why = "not root";
	else if (!on_bpffs("/sys/fs/bpf") && mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) != 0)
		why = "bpffs is not mounted at /sys/fs/bpf and cannot be mounted";
	else if (syscall(__NR_bpf, -1, NULL, 0) < 0 && errno == ENOSYS)
		why = "bpf() is not available";
	if (!why)
		return true;
	if (ci && !strcmp(ci, "true"))
		ck_abort_msg("kernel test cannot run under CI=true: %s", why);
	fprintf(stderr, "SKIP: kernel test: %s\n", why);
	return false;
}

bool tracefs_ready(void)
{
	struct statfs sfs;

	if (statfs("/sys/kernel/tracing/events", &sfs) == 0)
		return true;
	return mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
	       statfs("/sys/kernel/tracing/events", &sfs) == 0;
}

static char pin_root[256];

/* Named after the process that first asks (the test runner, before it forks each test), and
 * made again if a test removed it. */
const char *pin_root_create(void)
{
	if (!pin_root[0]) {
		snprintf(pin_root, sizeof(pin_root), "/sys/fs/bpf/bel-test-%d", (int)getpid());
		remove_tree(pin_root);
	}
	if (mkdir(pin_root, 0700) && errno != EEXIST)
		return NULL;
	return pin_root;
}

void pin_root_remove(void)
{
	if (pin_root[0]) {
		remove_tree(pin_root);
		pin_root[0] = '\0';
	}
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory stream's own fd */
}

int run_capture(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int status;

	if (!p)
		return -1;
	while (n + 1 < size) {
		size_t got = fread(out + n, 1, size - 1 - n, p);

		if (!got)
			break;
		n += got;
	}
	out[n] = '\0';
	/* drain the rest so the child does not block */
	while (fgetc(p) != EOF)
		;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
