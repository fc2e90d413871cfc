// SPDX-License-Identifier: GPL-2.0
/* uprobes and uretprobes (tests/test_uprobe.c): each program records, in its slot, how often it
 * ran, the cookie it was attached with and an argument or the return value. */
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
	__uint(max_entries, 8);
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

/* attached with bel_attach_opts (binary, func, cookie, pid) */
SEC("uprobe")
int BPF_KPROBE(up_entry, long a, long b) { return record(ctx, 0, a); }

SEC("uretprobe")
int BPF_KRETPROBE(up_return, long rc) { return record(ctx, 1, rc); }

/* a library found by name (LD_LIBRARY_PATH, ld.so.cache, standard directories) */
SEC("uprobe/libbeluprobe.so:bel_lib_add")
int BPF_KPROBE(up_lib, long a, long b) { return record(ctx, 2, b); }

SEC("uretprobe/libbeluprobe.so:bel_lib_add")
int BPF_KRETPROBE(up_lib_return, long rc) { return record(ctx, 3, rc); }

/* a versioned symbol of the same library */
SEC("uprobe/libbeluprobe.so:bel_lib_versioned@@BEL_2")
int BPF_KPROBE(up_versioned, long a) { return record(ctx, 4, a); }

SEC("uprobe.s")
int BPF_KPROBE(up_sleepable, long a) { return record(ctx, 5, a); }

char LICENSE[] SEC("license") = "GPL";
