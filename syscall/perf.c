/* SPDX-License-Identifier: MIT */
#include "perf.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* pid -1: every process (on cpu); cpu -1: every CPU (of pid) */
static int perf_open_task(struct perf_event_attr *attr, int pid, int cpu)
{
	long fd = syscall(__NR_perf_event_open, attr, pid, cpu, -1 /* no group */,
			  PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : (int)fd;
}

static int perf_open_on(struct perf_event_attr *attr, int cpu)
{
	return perf_open_task(attr, -1, cpu);
}

static int perf_open(struct perf_event_attr *attr)
{
	return perf_open_on(attr, 0);
}

int bel_sys_perf_uprobe_open(uint32_t pmu_type, const char *path, uint64_t offset, uint64_t config,
			     int pid)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = pmu_type;
	attr.config = config;                     /* retprobe bit, ref_ctr_offset */
	attr.config1 = (uint64_t)(uintptr_t)path; /* uprobe_path */
	attr.config2 = offset;                    /* probe_offset */
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	/* one process on any CPU, or every process (an event on CPU 0 that the probe fires for
	 * wherever it hits) */
	return perf_open_task(&attr, pid > 0 ? pid : -1, pid > 0 ? -1 : 0);
}

int bel_sys_perf_tracepoint_open(uint64_t tp_id)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = tp_id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	return perf_open(&attr);
}

int bel_sys_perf_kprobe_open(uint32_t pmu_type, const char *func, uint64_t offset, int retprobe_bit)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = pmu_type;
	attr.config1 = (uint64_t)(uintptr_t)func; /* kprobe_func */
	attr.config2 = offset;                    /* probe_offset */
	if (retprobe_bit >= 0)
		attr.config |= 1ull << retprobe_bit;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	return perf_open(&attr);
}

int bel_sys_perf_bpf_output_open(int cpu)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	return perf_open_on(&attr, cpu);
}

int bel_sys_perf_sampling_open(uint32_t type, uint64_t config, uint64_t period, uint64_t freq,
			       int cpu)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = config;
	if (freq) {
		attr.freq = 1;
		attr.sample_freq = freq;
	} else {
		attr.sample_period = period;
	}
	return perf_open_on(&attr, cpu);
}

int bel_sys_perf_enable(int fd)
{
	return ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0 ? -errno : 0;
}
