/* SPDX-License-Identifier: MIT */
/*
 * Kernel symbols: addresses from /proc/kallsyms, and what the running kernel calls a syscall's
 * entry point: with syscall wrappers (x86-64 since 4.17, arm64 since 4.19, s390 and others
 * later) "__<arch>_sys_<name>", else "sys_<name>". The architecture comes from uname; whether
 * the wrapper exists, from kernel BTF or kallsyms.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "internal.h"

static char prefix[32] = "sys_";
static pthread_once_t prefix_once = PTHREAD_ONCE_INIT;

/* The architecture as syscall wrapper names spell it, or NULL when it has none we know. */
static const char *wrapper_arch(const char *machine)
{
	static const struct {
		const char *machine, *arch;
		size_t len; /* 0: the whole machine name; else a prefix of it */
	} archs[] = {
		{"x86_64", "x64", 0}, {"aarch64", "arm64", 0}, {"s390x", "s390x", 0},
		{"s390", "s390", 0}, {"riscv64", "riscv", 0}, {"ppc64", "powerpc64", 5},
		{"ppc", "powerpc", 3}, {"arm", "arm", 3}, {"mips", "mips", 4},
		{"loongarch64", "loongarch64", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(archs) / sizeof(archs[0]); i++)
		if (archs[i].len ? !strncmp(machine, archs[i].machine, archs[i].len)
				 : !strcmp(machine, archs[i].machine))
			return archs[i].arch;
	return NULL;
}

static void find_prefix(void)
{
	const struct bel_btf *vmlinux = ldr_kernel_btf(NULL);
	const char *arch;
	struct utsname u;
	char probe[64];

	if (uname(&u) || !(arch = wrapper_arch(u.machine)))
		return;
	snprintf(probe, sizeof(probe), "__%s_sys_bpf", arch);
	if ((vmlinux && bel_btf_find(vmlinux, probe, BTF_KIND_FUNC) > 0) || ldr_kallsyms_address(probe))
		snprintf(prefix, sizeof(prefix), "__%s_sys_", arch);
}

const char *ldr_syscall_prefix(void)
{
	pthread_once(&prefix_once, find_prefix);
	return prefix;
}

uint64_t ldr_kallsyms_address(const char *name)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "re");
	uint64_t found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 && !strcmp(sym, name))
			found = addr;
	fclose(f);
	return found;
}
