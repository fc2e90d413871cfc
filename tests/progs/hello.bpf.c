// SPDX-License-Identifier: GPL-2.0
/*
 * hello.bpf.c - bel's bundled example: a tiny process telemetry object.
 *
 *   - on every exec (tracepoint sched/sched_process_exec) it counts execs per
 *     process in a hash map and sends an "exec" event to a ring buffer;
 *   - on every process exit (raw tracepoint sched_process_exit) it sends an
 *     "exit" event with the final exec count and forgets the process.
 *
 * User space reads events from the "events" ring buffer. Build with:
 *
 *   clang -O2 -g -target bpf -D__TARGET_ARCH_x86 \
 *         -I/usr/include/x86_64-linux-gnu -c hello.bpf.c -o hello.bpf.o
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* Shown by `bpftool prog show` for every program of this object. */
volatile const char bpf_metadata_version[] SEC(".rodata") = "hello 1.0";

/* Configuration: user space may change these before loading (.rodata). */
const volatile __u32 max_filename_len = 64; /* bytes of exec path to copy */
const volatile __u8 report_exits = 1;       /* 0: exec events only */

/* Statistics, readable from user space (.bss). */
__u64 total_execs;
__u64 dropped_events; /* ring buffer was full */

#define TASK_COMM_LEN 16
#define FILENAME_LEN  64

enum event_kind {
	EVENT_EXEC = 1,
	EVENT_EXIT = 2,
};

/* One ring buffer record. */
struct event {
	__u32 kind;     /* enum event_kind */
	__u32 pid;      /* thread group id (the "process id") */
	__u64 ts_ns;    /* bpf_ktime_get_ns() */
	__u64 execs;    /* execs seen for this pid so far */
	char comm[TASK_COMM_LEN];
	char filename[FILENAME_LEN];
};

/* Execs per process. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);   /* pid */
	__type(value, __u64); /* exec count */
} exec_count SEC(".maps");

/* Events to user space. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/*
 * Layout of the sched_process_exec tracepoint record
 * (/sys/kernel/tracing/events/sched/sched_process_exec/format).
 */
struct sched_process_exec_args {
	__u64 common;          /* common_type, flags, preempt_count, pid */
	__u32 filename_loc;    /* __data_loc char[]: offset in low 16 bits */
	__s32 pid;
	__s32 old_pid;
};

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct sched_process_exec_args *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, count = 1, *cnt;
	__u32 len = max_filename_len;
	struct event *e;

	__sync_fetch_and_add(&total_execs, 1);

	/* count execs per pid */
	cnt = bpf_map_lookup_elem(&exec_count, &pid);
	if (cnt) {
		count = __sync_fetch_and_add(cnt, 1) + 1;
	} else {
		bpf_map_update_elem(&exec_count, &pid, &one, BPF_ANY);
	}

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped_events, 1);
		return 0;
	}
	e->kind = EVENT_EXEC;
	e->pid = pid;
	e->ts_ns = bpf_ktime_get_ns();
	e->execs = count;
	bpf_get_current_comm(e->comm, sizeof(e->comm));

	/* the path lives in the record itself, at the __data_loc offset */
	if (len > FILENAME_LEN)
		len = FILENAME_LEN;
	if (len == 0)
		len = 1;
	bpf_probe_read_kernel_str(e->filename, len,
				  (void *)ctx + (ctx->filename_loc & 0xffff));

	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int handle_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32, tid = (__u32)id;
	struct event *e;
	__u64 *cnt;

	/* only the thread group leader ends the process */
	if (pid != tid)
		return 0;

	cnt = bpf_map_lookup_elem(&exec_count, &pid);
	if (!cnt)
		return 0; /* never saw an exec of this process */

	if (report_exits) {
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			e->kind = EVENT_EXIT;
			e->pid = pid;
			e->ts_ns = bpf_ktime_get_ns();
			e->execs = *cnt;
			bpf_get_current_comm(e->comm, sizeof(e->comm));
			e->filename[0] = '\0';
			bpf_ringbuf_submit(e, 0);
		} else {
			__sync_fetch_and_add(&dropped_events, 1);
		}
	}

	bpf_map_delete_elem(&exec_count, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
