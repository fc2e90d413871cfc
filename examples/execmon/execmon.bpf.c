// SPDX-License-Identifier: GPL-2.0
/*
 * execmon's BPF side: an event per exec and per process exit, through a ring buffer.
 * Built against the vmlinux.h that `bel gen vmlinux` writes, with CO-RE reads of task_struct.
 *
 * Configuration (.rodata, set by user space before load): which process tree to watch, the
 * shortest life worth an exit event. Counters (.bss) user space reads while it runs.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "execmon.h"

const volatile int target_ppid = 0;            /* 0: every process */
const volatile unsigned long long min_duration_ns = 0;

unsigned long long execs_seen, exits_seen, events_dropped;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, int);
	__type(value, unsigned long long);
} exec_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static bool wanted(struct task_struct *task)
{
	return !target_ppid || BPF_CORE_READ(task, real_parent, tgid) == target_ppid;
}

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned int name_off = ctx->__data_loc_filename & 0xffff;
	int pid = (int)(bpf_get_current_pid_tgid() >> 32);
	unsigned long long now = bpf_ktime_get_ns();
	struct execmon_event *e;

	if (!wanted(task))
		return 0;
	bpf_map_update_elem(&exec_start, &pid, &now, BPF_ANY);
	__sync_fetch_and_add(&execs_seen, 1);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&events_dropped, 1);
		return 0;
	}
	e->kind = EXECMON_EXEC;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = 0;
	e->duration_ns = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + name_off);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_template *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned long long id = bpf_get_current_pid_tgid(), *start, duration = 0;
	int pid = (int)(id >> 32);
	struct execmon_event *e;

	if ((unsigned int)id != (unsigned int)pid || !wanted(task))
		return 0; /* a thread, not the process */
	start = bpf_map_lookup_elem(&exec_start, &pid);
	if (start)
		duration = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&exec_start, &pid);
	if (min_duration_ns && duration < min_duration_ns)
		return 0;
	__sync_fetch_and_add(&exits_seen, 1);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&events_dropped, 1);
		return 0;
	}
	e->kind = EXECMON_EXIT;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
	e->duration_ns = duration;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->filename[0] = '\0';
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
