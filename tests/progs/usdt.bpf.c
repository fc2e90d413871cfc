// SPDX-License-Identifier: GPL-2.0
/* USDT probes through libbpf's own <bpf/usdt.bpf.h>, unchanged (tests/test_uprobe.c): the
 * arguments, their count and the USDT cookie, per probe. */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct rec {
	__u64 count;
	long args[4];
	long nargs;
	__u64 usdt_cookie;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct rec);
} usdt_recs SEC(".maps");

static __always_inline struct rec *slot(__u32 i)
{
	return bpf_map_lookup_elem(&usdt_recs, &i);
}

/* bel:args has a register, a constant and a memory operand */
SEC("usdt")
int BPF_USDT(usdt_args, long reg, long cst, long mem)
{
	struct rec *r = slot(0);

	if (!r)
		return 0;
	__sync_fetch_and_add(&r->count, 1);
	r->args[0] = reg;
	r->args[1] = cst;
	r->args[2] = mem;
	r->nargs = bpf_usdt_arg_cnt(ctx);
	r->usdt_cookie = bpf_usdt_cookie(ctx);
	return 0;
}

/* bel:sema has a semaphore */
SEC("usdt")
int BPF_USDT(usdt_sema, long v)
{
	struct rec *r = slot(1);

	if (!r)
		return 0;
	__sync_fetch_and_add(&r->count, 1);
	r->args[0] = v;
	r->nargs = bpf_usdt_arg_cnt(ctx);
	r->usdt_cookie = bpf_usdt_cookie(ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
