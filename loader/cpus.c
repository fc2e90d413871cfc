/* SPDX-License-Identifier: MIT */
/* The online CPUs as sysfs lists them: perf buffers and perf event links open one event each. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* CPU numbers read from sysfs above this are refused rather than iterated. */
#define MAX_CPU 65536

int bel_for_each_online_cpu(uint32_t below, int (*fn)(void *arg, int cpu), void *arg,
			    struct bel_err *err)
{
	static const char path[] = "/sys/devices/system/cpu/online";
	char buf[4096], *p, *end;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bel_errf(err, errno, "%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	ret = errno;
	close(fd);
	if (n < 0)
		return bel_errf(err, ret, "%s: %s", path, strerror(ret));
	buf[n] = '\0';
	for (p = buf; *p && *p != '\n';) {
		unsigned long lo, hi, cpu;

		errno = 0;
		lo = strtoul(p, &end, 10);
		if (end == p || errno || lo >= MAX_CPU)
			goto malformed;
		hi = lo;
		p = end;
		if (*p == '-') {
			hi = strtoul(++p, &end, 10);
			if (end == p || errno || hi >= MAX_CPU || hi < lo)
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
	return 0;
malformed:
	return bel_errf(err, EINVAL, "%s: cannot read the CPU list '%.64s'", path, buf);
}
