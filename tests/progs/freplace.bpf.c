// SPDX-License-Identifier: GPL-2.0
/*
 * freplace.bpf.c - a program whose global function another program replaces: `target` passes
 * every packet through get_verdict(); `new_verdict` (freplace) drops them once it is attached
 * in its place. The replacement needs the target program's fd at load time.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int get_verdict(struct xdp_md *ctx)
{
	return ctx->rx_queue_index == 12345 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int target(struct xdp_md *ctx)
{
	return get_verdict(ctx);
}

SEC("freplace/get_verdict")
int new_verdict(struct xdp_md *ctx)
{
	return XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
