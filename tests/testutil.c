/* SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "objgen.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
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
	return og_read_file(path, size);
}

static bool on_bpffs(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC;
}

const char *kernel_missing(void)
{
	if (geteuid() != 0)
		return "not root";
	if (!on_bpffs("/sys/fs/bpf") && mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL) != 0)
		return "bpffs is not mounted at /sys/fs/bpf and cannot be mounted";
	/* raw on purpose: a command no wrapper makes, answered EINVAL by any kernel with bpf() */
	if (syscall(__NR_bpf, -1, NULL, 0) < 0 && errno == ENOSYS)
		return "bpf() is not available";
	return NULL;
}

bool kernel_ready(void)
{
	const char *why = kernel_missing();
	const char *ci = getenv("CI");

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

void pin_root_setup(void)
{
	if (geteuid() == 0)
		pin_root_create();
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

int link_up(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) == 0)
			goto out;
	}
	ret = -errno;
out:
	close(fd);
	return ret;
}

static int first_netns = -1;

void netns_enter(void)
{
	first_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(first_netns, 0);
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
	ck_assert_int_eq(link_up("lo"), 0);
}

void netns_leave(void)
{
	if (first_netns < 0)
		return;
	if (setns(first_netns, CLONE_NEWNET))
		fprintf(stderr, "setns back: %s\n", strerror(errno));
	close(first_netns);
	first_netns = -1;
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

int run_srunner(SRunner *sr)
{
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
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
