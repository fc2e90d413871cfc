// SPDX-License-Identifier: GPL-2.0
/*
 * upgrade.bpf.c - one object in versions (-DVERSION=1, 2, 3), for restarts and upgrades:
 *
 *   count_socks  (cgroup/sock_create) counts sockets created in its cgroup into `counts`,
 *                whatever the version; reads .rodata `generation` so that a configuration change
 *                makes it another program (the no-gap upgrade test sets it each time).
 *   via_helper_a, via_helper_b (xdp) call helper(), whose body differs in version 2: both change.
 *   steady       (socket) is the same in every version but the third, which drops it.
 *   `counts` has 64 entries, 128 with -DBIG (another shape: migrate copies it).
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#ifndef VERSION
#define VERSION 1
#endif
#ifdef BIG
#define COUNTS 128
#else
#define COUNTS 64
#endif

const volatile __u32 generation = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, COUNTS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __attribute__((noinline)) int helper(struct xdp_md *ctx)
{
#if VERSION == 2
	return ctx->rx_queue_index == 7 ? XDP_DROP : XDP_PASS;
#else
	return ctx->rx_queue_index == 5 ? XDP_DROP : XDP_PASS;
#endif
}

SEC("cgroup/sock_create")
int count_socks(struct bpf_sock *sk)
{
	__u32 key = 0;
	__u64 *n, one = 1;

	if (generation == 0xffffffff)
		return 0;
	n = bpf_map_lookup_elem(&counts, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 1;
}

SEC("xdp")
int via_helper_a(struct xdp_md *ctx)
{
	return helper(ctx);
}

SEC("xdp")
int via_helper_b(struct xdp_md *ctx)
{
	return helper(ctx) == XDP_DROP ? XDP_DROP : XDP_PASS;
}

#if VERSION < 3
SEC("socket")
int steady(struct __sk_buff *skb)
{
	return 0;
}
#endif

char LICENSE[] SEC("license") = "GPL";
