/* SPDX-License-Identifier: MIT */
/* perf_event_open(2) for the perf events that kprobe and tracepoint links hang off, and for the
 * BPF output events behind perf buffers. */
#ifndef BEL_SYSCALL_PERF_H
#define BEL_SYSCALL_PERF_H

#include <stdint.h>

/* A tracepoint event by its tracefs id; fd or -errno. */
int bel_sys_perf_tracepoint_open(uint64_t tp_id);
/* A kprobe (or kretprobe, retprobe_bit >= 0) through the kprobe PMU of type pmu_type. */
int bel_sys_perf_kprobe_open(uint32_t pmu_type, const char *func, uint64_t offset, int retprobe_bit);
/* A uprobe through the uprobe PMU of type pmu_type at a file offset of path; config carries the
 * retprobe bit and the reference counter's offset as the PMU's format files place them. pid > 0
 * probes that process only, else every process. */
int bel_sys_perf_uprobe_open(uint32_t pmu_type, const char *path, uint64_t offset, uint64_t config,
			     int pid);
/* A PERF_COUNT_SW_BPF_OUTPUT event on one CPU (any process) whose samples are raw records,
 * each waking the reader; fd or -errno. */
int bel_sys_perf_bpf_output_open(int cpu);
/* A sampling event (any process) on one CPU for a perf_event program: type and config as
 * perf_event_open(2) takes them, every `period` events or `freq` times a second (freq != 0). */
int bel_sys_perf_sampling_open(uint32_t type, uint64_t config, uint64_t period, uint64_t freq,
			       int cpu);
/* PERF_EVENT_IOC_ENABLE; 0 or -errno. */
int bel_sys_perf_enable(int fd);

#endif
