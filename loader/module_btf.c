/* SPDX-License-Identifier: MIT */
/*
 * Kernel modules' BTF (/sys/kernel/btf/<module>, split BTF on vmlinux), for what vmlinux lacks:
 * CO-RE candidates, kfuncs and typed ksyms, fentry/fexit/tp_btf targets in a module. Read,
 * parsed and indexed once per process, on the first lookup that vmlinux could not answer. A
 * module's BTF object fd, which the kernel wants beside a type id from it, is opened on first
 * need and kept for the process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "pin_names.h"

#define SYS_BTF "/sys/kernel/btf"
/* More modules than any kernel loads: a bound on the work a strange sysfs can make. */
#define MAX_MODULES 4096
/* A module's BTF is a few hundred KiB at most; vmlinux's own is tens of MiB. */
#define MAX_MODULE_BTF (64u << 20)

struct module_btf {
	char name[BEL_NAME_MAX + 1];
	void *raw;                /* the bytes btf borrows */
	struct bel_btf *btf;
	int fd;                   /* BTF object fd, -1 until needed */
};

static struct module_btf *modules;
static uint32_t nmodules;
static pthread_once_t modules_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t fd_lock = PTHREAD_MUTEX_INITIALIZER;

static void *read_fd_all(int fd, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;

	if (fstat(fd, &st) || st.st_size <= 0 || (uint64_t)st.st_size > MAX_MODULE_BTF)
		return NULL;
	buf = malloc((size_t)st.st_size);
	while (buf && done < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + done, (size_t)st.st_size - done, (off_t)done);

		if (n <= 0) {
			free(buf);
			return NULL;
		}
		done += (size_t)n;
	}
	*size = done;
	return buf;
}

/* One module: its name is checked before it becomes a path, its BTF parsed on vmlinux's. */
static void add_module(int dir_fd, const char *name, const struct bel_btf *vmlinux)
{
	static uint32_t cap;
	struct bel_err err = {0};
	struct module_btf *m;
	size_t size = 0;
	int fd;

	if (ldr_name_check(name, 0, &err))
		return;
	if (nmodules == cap) {
		uint32_t grown_cap = cap ? cap * 2 : 32;
		struct module_btf *grown = realloc(modules, grown_cap * sizeof(*grown));

		if (!grown)
			return;
		modules = grown;
		cap = grown_cap;
	}
	m = &modules[nmodules];
	memset(m, 0, sizeof(*m));
	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	m->raw = read_fd_all(fd, &size);
	close(fd);
	if (!m->raw)
		return;
	if (bel_btf_parse_kernel(m->raw, size, vmlinux, &m->btf, &err) ||
	    bel_btf_index_names(m->btf, &err)) {
		/* a module whose BTF does not parse is left out, not fatal to the others */
		bel_btf_free(m->btf);
		free(m->raw);
		m->btf = NULL;
		return;
	}
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->fd = -1;
	nmodules++;
}

static void load_modules(void)
{
	const struct bel_btf *vmlinux = ldr_kernel_btf(NULL);
	struct dirent *de;
	DIR *dir;

	if (!vmlinux)
		return;
	/* no modules' BTF to read (a kernel without modules, or without their BTF) is no error:
	 * lookups then answer from vmlinux alone */
	dir = opendir(SYS_BTF);
	if (!dir)
		return;
	while ((de = readdir(dir)) && nmodules < MAX_MODULES)
		if (de->d_name[0] != '.' && strcmp(de->d_name, "vmlinux"))
			add_module(dirfd(dir), de->d_name, vmlinux);
	closedir(dir);
}

uint32_t ldr_module_btf_count(void)
{
	pthread_once(&modules_once, load_modules);
	return nmodules;
}

const struct bel_btf *ldr_module_btf(uint32_t i, const char **name)
{
	if (i >= ldr_module_btf_count())
		return NULL;
	if (name)
		*name = modules[i].name;
	return modules[i].btf;
}

int ldr_module_btf_find(const char *name, uint32_t kind, uint32_t *module, uint32_t *id)
{
	uint32_t m, n = ldr_module_btf_count(), i;

	for (m = 0; m < n; m++) {
		const struct bel_btf *btf = modules[m].btf;
		uint32_t end = bel_btf_type_count(btf);

		/* the module's own types only: the base's were looked at in vmlinux */
		for (i = btf->start_id; i < end; i++) {
			const struct btf_type *t = bel_btf_type(btf, i);

			if (btf_kind(t) == kind && !strcmp(bel_btf_type_name(btf, t), name)) {
				*module = m;
				*id = i;
				return 0;
			}
		}
	}
	return -ENOENT;
}

/* The kernel's BTF objects by id, until one is the module's (kernel_btf, same name). */
static int open_module_fd(const char *want, struct bel_err *err)
{
	uint32_t id = 0;
	int fd, ret;

	while (!(ret = bel_sys_btf_get_next_id(id, &id))) {
		struct bpf_btf_info info;
		char name[64] = "";
		uint32_t len = sizeof(info);

		fd = bel_sys_btf_get_fd_by_id(id);
		if (fd < 0)
			continue; /* gone meanwhile */
		memset(&info, 0, sizeof(info));
		info.name = (uint64_t)(uintptr_t)name;
		info.name_len = sizeof(name);
		if (!bel_sys_obj_get_info_by_fd(fd, &info, &len) && info.kernel_btf &&
		    !strncmp(name, want, sizeof(name)) && name[sizeof(name) - 1] == '\0')
			return fd;
		close(fd);
	}
	return bel_errf(err, ret == -ENOENT ? ENOENT : -ret, "no BTF object of module '%s' in "
			"the kernel (unloaded?)", want);
}

int ldr_module_btf_fd(uint32_t i, struct bel_err *err)
{
	int fd;

	if (i >= ldr_module_btf_count())
		return bel_errf(err, EINVAL, "no module BTF #%u", i);
	pthread_mutex_lock(&fd_lock);
	fd = modules[i].fd >= 0 ? modules[i].fd : open_module_fd(modules[i].name, err);
	if (fd >= 0)
		modules[i].fd = fd;
	pthread_mutex_unlock(&fd_lock);
	return fd;
}
