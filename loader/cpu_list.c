/* SPDX-License-Identifier: MIT */
#include "cpu_list.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bel/bel.h"

int ldr_cpu_list_parse(const char *text, uint32_t below, int (*fn)(void *arg, int cpu), void *arg,
		       struct bel_err *err)
{
	const char *p = text;
	char *end;
	int ret;

	while (*p && *p != '\n') {
		unsigned long lo, hi, cpu;

		/* strtoul would take a sign or white space */
		if (*p < '0' || *p > '9')
			goto malformed;
		errno = 0;
		lo = strtoul(p, &end, 10);
		if (errno || lo >= BEL_CPU_MAX)
			goto malformed;
		hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9')
				goto malformed;
			hi = strtoul(p, &end, 10);
			if (errno || hi >= BEL_CPU_MAX || hi < lo)
				goto malformed;
			p = end;
		}
		for (cpu = lo; cpu <= hi && cpu < below; cpu++) {
			ret = fn(arg, (int)cpu);
			if (ret)
				return ret;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			goto malformed;
	}
	if (*p == '\n' && p[1])
		goto malformed;
	return 0;
malformed:
	return bel_errf(err, EINVAL, "cannot read the CPU list '%.64s%s'", text,
			strlen(text) > 64 ? "..." : "");
}

int ldr_cpu_list_file(const char *path, uint32_t below, int (*fn)(void *arg, int cpu), void *arg,
		      struct bel_err *err)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret;

	if (!f)
		return bel_errf(err, errno, "%s: %s", path, strerror(errno));
	errno = 0;
	n = getline(&line, &cap, f); /* one line, however long */
	ret = errno;
	fclose(f);
	if (n < 0) {
		free(line);
		return bel_errf(err, ret ? ret : EINVAL, "%s: %s", path, ret ? strerror(ret) : "empty");
	}
	ret = ldr_cpu_list_parse(line, below, fn, arg, err);
	free(line);
	return ret ? bel_err_prefix(err, "%s", path) : 0;
}

int ldr_for_each_online_cpu(uint32_t below, int (*fn)(void *arg, int cpu), void *arg,
			    struct bel_err *err)
{
	return ldr_cpu_list_file("/sys/devices/system/cpu/online", below, fn, arg, err);
}

static int count_cpu(void *arg, int cpu)
{
	(void)cpu;
	(*(uint32_t *)arg)++;
	return 0;
}

uint32_t ldr_possible_cpu_count(void)
{
	static uint32_t cached;
	struct bel_err err;
	uint32_t n = 0;

	if (__atomic_load_n(&cached, __ATOMIC_RELAXED))
		return cached;
	/* the kernel copies one value per possible CPU: the whole list, never a cut one */
	if (ldr_cpu_list_file("/sys/devices/system/cpu/possible", BEL_CPU_MAX, count_cpu, &n, &err))
		n = 0;
	if (!n)
		n = (uint32_t)sysconf(_SC_NPROCESSORS_CONF);
	__atomic_store_n(&cached, n, __ATOMIC_RELAXED);
	return n;
}

int bel_possible_cpus(void)
{
	return (int)ldr_possible_cpu_count();
}
