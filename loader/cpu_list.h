/* SPDX-License-Identifier: MIT */
/*
 * CPU lists as sysfs writes them ("0-3,8,10-11\n"): /sys/devices/system/cpu/possible sizes
 * per-CPU values, online says where perf buffers open their rings. Read whole, however long
 * (a machine with sparse CPU numbers writes a long one), and strictly: a list cut short would
 * undercount the CPUs the kernel copies a value for into a buffer sized by the count.
 */
#ifndef BEL_LOADER_CPU_LIST_H
#define BEL_LOADER_CPU_LIST_H

#include <stdint.h>

#include "common/err.h"

/* CPU numbers from this on are refused rather than iterated. */
#define BEL_CPU_MAX 65536

/* fn(arg, cpu) for each CPU of the list below `below`, in order; 0, fn's error, or -EINVAL
 * (with a message) for a malformed list. */
int ldr_cpu_list_parse(const char *text, uint32_t below, int (*fn)(void *arg, int cpu), void *arg,
		       struct bel_err *err);
/* The same over the whole of a file; -errno when it cannot be read. */
int ldr_cpu_list_file(const char *path, uint32_t below, int (*fn)(void *arg, int cpu), void *arg,
		      struct bel_err *err);
/* The online CPUs (/sys/devices/system/cpu/online): where perf buffers and perf event links
 * open one event each. */
int ldr_for_each_online_cpu(uint32_t below, int (*fn)(void *arg, int cpu), void *arg,
			    struct bel_err *err);
/* The possible CPUs: how many values a per-CPU map holds. Read once per process. */
uint32_t ldr_possible_cpu_count(void);

#endif
