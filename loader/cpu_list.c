/* SPDX-License-Identifier: MIT */
#include "cpu_list.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
