// SPDX-License-Identifier: GPL-2.0
/*
 * subprogs.bpf.c - BPF-to-BPF calls and several programs per section.
 *
 * Covers: three programs in SEC("xdp") and two in SEC("tc") (the loader must
 * split a section by symbol), shared subprograms in .text used by several
 * programs (so each program needs its own copy appended), static __noinline
 * and global (non-static) __noinline subprograms, a nested call chain, a map
 * referenced only from a subprogram, a bpf_loop() callback (ld_imm64 with
 * BPF_PSEUDO_FUNC), and a program that calls nothing.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* only ever referenced from count_hit(), never from a program body */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* leaf subprogram */
static __noinline __u32 mix(__u32 a, __u32 b)
{
	return (a * 31) ^ (b + 7);
}

/* subprogram calling a subprogram, touching a map */
static __noinline int count_hit(__u32 slot)
{
	__u32 key = mix(slot, 1) & 7;
	__u64 *v = bpf_map_lookup_elem(&hits, &key);

	if (!v)
		return 0;
	__sync_fetch_and_add(v, 1);
	return 1;
}

/* global function: verified on its own by the kernel (BTF linkage global) */
__noinline int global_classify(__u32 len)
{
	if (len < 64)
		return 0;
	if (len < 512)
		return 1;
	return 2;
}

/* bpf_loop callback: passed as a function pointer (BPF_PSEUDO_FUNC) */
struct loop_ctx {
	__u32 acc;
	__u32 seed;
};

static int loop_cb(__u32 idx, void *data)
{
	struct loop_ctx *lc = data;

	lc->acc += mix(idx, lc->seed);
	return 0; /* continue */
}

/* --- three programs in one "xdp" section --------------------------------- */

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	count_hit(ctx->ingress_ifindex);
	return XDP_PASS;
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	if (global_classify(len) == 2)
		return XDP_DROP;
	return count_hit(len) ? XDP_PASS : XDP_ABORTED;
}

/* calls nothing at all */
SEC("xdp")
int xdp_plain(struct xdp_md *ctx)
{
	return ctx->rx_queue_index ? XDP_PASS : XDP_TX;
}

/* --- two programs in one "tc" section ----------------------------------- */

SEC("tc")
int tc_loop(struct __sk_buff *skb)
{
	struct loop_ctx lc = { .acc = 0, .seed = skb->len };

	bpf_loop(16, loop_cb, &lc, 0);
	skb->mark = lc.acc;
	return 0;
}

SEC("tc")
int tc_mixed(struct __sk_buff *skb)
{
	skb->priority = global_classify(skb->len) + mix(skb->hash, skb->len);
	count_hit(skb->ifindex);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
