// SPDX-License-Identifier: GPL-2.0
/*
 * CO-RE against a generated vmlinux.h (tests/core_vmlinux.sh): built twice, once with bel's
 * header (`bel gen vmlinux`) and once with bpftool's (`bpftool btf dump ... format c`), and
 * loaded by bel on the running kernel. Every relocation resolves against the same kernel, so
 * both builds must become the same instructions: the kernel reports the same program tags.
 * It reads task_struct the ways CO-RE programs do: plain and nested fields, pointer chains,
 * a bit-field, a string, field existence, type sizes and existence, enum values; and a
 * tracepoint's context struct from vmlinux.h. Never built by the default build (it needs the
 * running kernel's header), never attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct seen {
	int pid, tgid, ppid, prio;
	unsigned int flags, uid, reset_on_fork;
	unsigned long long start_time, vruntime, task_size;
	int has_numa, has_iter_task;
	long long pgid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct seen);
} seen_map SEC(".maps");

SEC("kprobe/do_nanosleep")
int read_task(struct pt_regs *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 zero = 0;
	struct seen *s = bpf_map_lookup_elem(&seen_map, &zero);

	if (!s)
		return 0;
	s->pid = BPF_CORE_READ(task, pid);
	s->tgid = BPF_CORE_READ(task, tgid);
	s->ppid = BPF_CORE_READ(task, real_parent, tgid);
	s->prio = BPF_CORE_READ(task, prio);
	s->flags = BPF_CORE_READ(task, flags);
	s->uid = BPF_CORE_READ(task, cred, uid.val);
	s->start_time = BPF_CORE_READ(task, start_time);
	s->vruntime = BPF_CORE_READ(task, se.vruntime);
	s->reset_on_fork = BPF_CORE_READ_BITFIELD_PROBED(task, sched_reset_on_fork);
	bpf_core_read_str(s->comm, sizeof(s->comm), &task->comm);
	s->task_size = bpf_core_type_size(struct task_struct);
	s->has_numa = bpf_core_field_exists(task->numa_faults);
	s->has_iter_task = bpf_core_type_exists(struct bpf_iter__task);
	s->pgid = bpf_core_enum_value(enum pid_type, PIDTYPE_PGID);
	return 0;
}

SEC("tracepoint/sched/sched_switch")
int on_switch(struct trace_event_raw_sched_switch *ctx)
{
	__u32 zero = 0;
	struct seen *s = bpf_map_lookup_elem(&seen_map, &zero);

	if (!s)
		return 0;
	s->pid = BPF_CORE_READ(ctx, next_pid);
	s->prio = BPF_CORE_READ(ctx, prev_prio);
	bpf_core_read_str(s->comm, sizeof(s->comm), ctx->next_comm);
	return 0;
}
