// SPDX-License-Identifier: GPL-2.0
/* uprobe_multi links (tests/test_uprobe_multi.c): each program counts its hits in its slot,
 * with the cookie of the last hit and an argument or the return value. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct rec {
	__u64 count;
	__u64 cookie;
	__u64 value;
	__u64 pid;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct rec);
} recs SEC(".maps");

static __always_inline int record(void *ctx, __u32 slot, __u64 value)
{
	struct rec *r = bpf_map_lookup_elem(&recs, &slot);

	if (!r)
		return 0;
	__sync_fetch_and_add(&r->count, 1);
	r->cookie = bpf_get_attach_cookie(ctx);
	r->value = value;
	r->pid = bpf_get_current_pid_tgid() >> 32;
	return 0;
}

/* every function of the library whose name starts bel_lib_ */
SEC("uprobe.multi/libbeluprobe.so:bel_lib_*")
int BPF_KPROBE(multi_lib, long a) { return record(ctx, 0, a); }

/* functions and binary from bel_attach_opts */
SEC("uprobe.multi")
int BPF_KPROBE(multi_entry, long a) { return record(ctx, 1, a); }

SEC("uretprobe.multi")
int BPF_KRETPROBE(multi_return, long rc) { return record(ctx, 2, rc); }

char LICENSE[] SEC("license") = "GPL";
