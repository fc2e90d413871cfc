/* SPDX-License-Identifier: MIT */
/*
 * The running kernel's BTF, mapped read-only from /sys/kernel/btf/vmlinux once per process and
 * parsed in place (no copy), shared by every object and thread.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf/core.h"
#include "internal.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static struct bel_btf *vmlinux;
static struct bel_err vmlinux_err;
static pthread_once_t vmlinux_once = PTHREAD_ONCE_INIT;

static void map_vmlinux(void)
{
	struct stat st;
	void *data;
	int fd;

	fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bel_errf(&vmlinux_err, errno, "kernel BTF: cannot open %s: %s", VMLINUX_BTF,
			 strerror(errno));
		return;
	}
	/* sysfs reports a size for this file; the mapping stays for the process's lifetime. */
	if (fstat(fd, &st) || st.st_size <= 0) {
		bel_errf(&vmlinux_err, EINVAL, "kernel BTF: %s has no size", VMLINUX_BTF);
		close(fd);
		return;
	}
	data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (data == MAP_FAILED) {
		/* Kernels before 6.10 cannot map this file: read it into an owned copy instead. */
		data = ldr_read_fd(fd, (size_t)st.st_size);
		close(fd);
		if (!data) {
			bel_errf(&vmlinux_err, errno, "kernel BTF: cannot read %s: %s", VMLINUX_BTF,
				 strerror(errno));
			return;
		}
		if (bel_btf_parse(data, (size_t)st.st_size, NULL, true, &vmlinux, &vmlinux_err))
			bel_err_prefix(&vmlinux_err, "kernel BTF %s", VMLINUX_BTF);
		free(data);
		return;
	}
	close(fd);
	if (bel_btf_parse_kernel(data, (size_t)st.st_size, NULL, &vmlinux, &vmlinux_err)) {
		bel_err_prefix(&vmlinux_err, "kernel BTF %s", VMLINUX_BTF);
		munmap(data, (size_t)st.st_size);
	}
}

/* Parse, then index by name so CO-RE candidate search need not scan every type. */
static void load_vmlinux(void)
{
	map_vmlinux();
	if (vmlinux && bel_btf_index_names(vmlinux, &vmlinux_err)) {
		bel_btf_free(vmlinux);
		vmlinux = NULL;
	}
}

const struct bel_btf *ldr_kernel_btf(struct bel_err *err)
{
	pthread_once(&vmlinux_once, load_vmlinux);
	if (!vmlinux && err)
		*err = vmlinux_err;
	return vmlinux;
}

int ldr_kernel_btf_by_id(uint32_t id, struct bel_btf **out, struct bel_err *err)
{
	struct bpf_btf_info info;
	uint32_t len = sizeof(info), size;
	void *raw = NULL;
	int fd, ret;

	*out = NULL;
	fd = bel_sys_btf_get_fd_by_id(id);
	if (fd < 0)
		return bel_errf(err, -fd, "cannot open BTF id %u: %s", id, strerror(-fd));
	memset(&info, 0, sizeof(info));
	ret = bel_sys_obj_get_info_by_fd(fd, &info, &len);
	if (!ret && !info.btf_size)
		ret = -ENODATA;
	if (!ret) {
		size = info.btf_size;
		raw = calloc(1, size); /* zeroed: memory checkers cannot see the kernel fill it */
		memset(&info, 0, sizeof(info));
		info.btf = (uint64_t)(uintptr_t)raw;
		info.btf_size = size;
		len = sizeof(info);
		ret = raw ? bel_sys_obj_get_info_by_fd(fd, &info, &len) : -ENOMEM;
		/* the kernel's BTF cannot grow, but do not trust a size we did not allocate */
		if (!ret && info.btf_size > size)
			ret = -EOVERFLOW;
	}
	close(fd);
	if (ret) {
		free(raw);
		return bel_errf(err, -ret, "cannot read BTF id %u: %s", id, strerror(-ret));
	}
	ret = bel_btf_parse(raw, info.btf_size, NULL, true, out, err);
	free(raw);
	if (ret)
		bel_err_prefix(err, "BTF id %u", id);
	return ret;
}
